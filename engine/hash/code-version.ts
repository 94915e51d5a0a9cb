// A task's code version: what it runs, hashed, so editing a task makes exactly its nodes
// stale.
// - A TypeScript task: its module and every local module it imports at run time
//   (transitively, from esbuild's metafile; `import type` carries no code), and the
//   exact installed version of every npm package that code imports, and of those
//   packages' own dependencies — upgrading h5wasm, which writes the output bytes, makes
//   the nodes of the tasks that import it stale ("package changed: h5wasm 0.10.3 →
//   0.10.4"). The engine's own files (the task API) are not part of any task's code:
//   editing flow must not make every node stale; a change of its semantics is a
//   deliberate salt in the key (plan/planner.ts, `v`). Node's own version is not in the
//   key (docs/guide.md, "The environment"): a task that depends on it says so with an
//   `environment:` probe.
// - A shell task: its argv template plus the files it lists under `code:` (globs allowed).
// A JavaScript/TypeScript file is hashed as esbuild prints it with comments, whitespace
// and types stripped: editing a comment or reformatting leaves its nodes up to date.
import { readFileSync, existsSync, realpathSync } from "node:fs";
import { createRequire, builtinModules } from "node:module";
import type * as Esbuild from "esbuild";
import { fileURLToPath } from "node:url";
import { dirname, join, resolve, relative, sep } from "node:path";
import { canonical, sha256 } from "./canonical.js";
import { FlowError } from "../errors.js";
import { writeFileAtomic } from "../host/temp.js";
import { expandCodeGlobs } from "./code-globs.js";
import type { RunDef } from "../model/graph-node.js";

// esbuild is loaded only when a closure or a code hash is not cached: loading it is a
// noticeable part of a warm `status`, which needs none of it.
let esbuildModule: typeof Esbuild | undefined;
function esbuild(): typeof Esbuild {
  try {
    return (esbuildModule ??= createRequire(import.meta.url)("esbuild") as typeof Esbuild);
  } catch (e) {
    throw environmentFailure(e);
  }
}

/**
 * esbuild reports what is wrong with a module as a list of messages (a syntax error, an
 * import that does not resolve): the task then fails when it runs, and its key changes
 * once it builds. Anything else — esbuild missing, its binary broken — would silently
 * shrink every task's code version to its entry file: that is an error of the install.
 */
function isModuleProblem(e: unknown): boolean {
  const errors = (e as { errors?: unknown }).errors;
  return Array.isArray(errors) && errors.length > 0;
}
function environmentFailure(e: unknown): FlowError {
  return new FlowError(
    "io-error",
    `cannot compute task code versions: esbuild does not work here (${(e as Error).message?.split("\n")[0] ?? e}); run 'npm ci' in flow's folder`,
  );
}

/** This engine's folder, by real path (a workspace may reach it through a symlink). */
const ENGINE_DIR = realpathSync(fileURLToPath(new URL("..", import.meta.url)));

const BUILTIN = new Set(builtinModules);
/** The package an import specifier names ("@scope/pkg/sub" → "@scope/pkg"), or undefined for Node's own and flow's. */
function packageOf(spec: string): string | undefined {
  if (spec.startsWith("node:") || spec.startsWith("#") || spec.startsWith(".") || spec.startsWith("/")) return undefined;
  const parts = spec.split("/");
  const name = spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
  return BUILTIN.has(name) ? undefined : name;
}

interface Closure {
  /** local files, absolute */
  files: string[];
  /** the npm packages they import, by the folder they are resolved from */
  packages: { name: string; from: string }[];
}

/**
 * The local files a module runs and the packages they import: esbuild bundles it
 * (nothing written) and its metafile lists every input it followed — the real import
 * graph, with the resolution Node and the TypeScript loader use, so `export *`,
 * side-effect imports and JSON files count — and every import it left external.
 * Undefined when the module does not build.
 */
function buildClosure(entry: string): Closure | undefined {
  let meta: Esbuild.Metafile;
  try {
    meta = esbuild().buildSync({
      entryPoints: [entry],
      bundle: true,
      write: false,
      metafile: true,
      platform: "node",
      format: "esm",
      target: "esnext",
      packages: "external",
      external: ["#*", `${ENGINE_DIR}/*`],
      logLevel: "silent",
      absWorkingDir: dirname(entry),
    }).metafile;
  } catch (e) {
    if (isModuleProblem(e)) return undefined;
    throw environmentFailure(e);
  }
  const files = new Set([entry]);
  const packages = new Map<string, { name: string; from: string }>();
  for (const [f, input] of Object.entries(meta.inputs)) {
    const abs = resolve(dirname(entry), f);
    if (isEngineFile(abs) || abs.split(sep).includes("node_modules")) continue;
    files.add(abs);
    for (const imp of input.imports) {
      const name = imp.external ? packageOf(imp.path) : undefined;
      if (name && !packages.has(`${name}\0${dirname(abs)}`)) packages.set(`${name}\0${dirname(abs)}`, { name, from: dirname(abs) });
    }
  }
  return { files: [...files].sort(), packages: [...packages.values()] };
}

function isEngineFile(f: string): boolean {
  try {
    return realpathSync(f).startsWith(ENGINE_DIR + sep);
  } catch {
    return false;
  }
}

// Closures and normalised hashes are kept by raw content hash (esbuild's first call
// starts its service process; a cache hit needs none): `flow status` stays fast.
const CODE_CACHE = fileURLToPath(new URL("../../node_modules/.cache/flow-code/", import.meta.url));
const NORMALISE = "code-v2"; // bump when the normalisation or the closure's shape changes

/**
 * A module's closure, kept with the raw hash of every file in it: while none of those
 * files changes, no import in the graph changed, so a warm `flow status` starts no
 * esbuild. (One blind spot, as for any import scanner: a new file that changes how an
 * unchanged import resolves, e.g. x/index.ts beside x.ts.)
 */
function cachedClosure(entry: string, rawHash: (file: string) => string): Closure {
  const file = `${CODE_CACHE}closure-${sha256(`${NORMALISE}\0${entry}`)}`;
  try {
    const c = JSON.parse(readFileSync(file, "utf8")) as Closure & { raw: string[] };
    if (Array.isArray(c.files) && Array.isArray(c.packages) && c.files.every((f, i) => rawHash(f) === c.raw[i]))
      return { files: c.files, packages: c.packages };
  } catch {
    /* none yet, or unreadable: build it */
  }
  const built = buildClosure(entry);
  if (!built) return { files: [entry], packages: [] }; // never cached: the missing file may appear without the module changing
  try {
    writeFileAtomic(file, JSON.stringify({ ...built, raw: built.files.map(rawHash) }));
  } catch {
    /* a read-only install: build it again next time */
  }
  return built;
}

/** sha256 of a file's bytes ("missing" when it cannot be read). */
function fileSha(file: string): string {
  try {
    return sha256(readFileSync(file));
  } catch {
    return "missing";
  }
}

/** The hash of what a source file does: its code without comments, formatting or types. */
export function codeHash(file: string): string {
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch {
    return "missing";
  }
  if (!/\.(ts|mts|js|mjs)$/.test(file)) return sha256(text);
  const raw = sha256(text);
  const cached = `${CODE_CACHE}${raw}`;
  try {
    return readFileSync(cached, "utf8");
  } catch {
    /* not normalised yet */
  }
  let h: string;
  try {
    const out = esbuild().transformSync(text.toString("utf8"), {
      loader: file.endsWith("ts") ? "ts" : "js",
      format: "esm",
      target: "esnext",
      minifyWhitespace: true,
      legalComments: "none",
    }).code;
    h = sha256(`${NORMALISE}\0${out}`);
  } catch (e) {
    if (isModuleProblem(e)) return raw; // does not parse: the task will say why when it runs
    throw environmentFailure(e);
  }
  try {
    writeFileAtomic(cached, h);
  } catch {
    /* a read-only install: compute again next time */
  }
  return h;
}

/**
 * The installed version of a package as Node resolves it from `from` (the nearest
 * node_modules/<name>/package.json up the folders), and its folder; undefined when it is
 * not installed.
 */
function installed(name: string, from: string): { version: string; dir: string; deps: string[] } | undefined {
  for (let d = from; ; d = dirname(d)) {
    const pj = join(d, "node_modules", name, "package.json");
    if (existsSync(pj)) {
      try {
        const p = JSON.parse(readFileSync(pj, "utf8")) as { version?: string; dependencies?: object; optionalDependencies?: object };
        return { version: String(p.version ?? "?"), dir: dirname(pj), deps: Object.keys({ ...p.dependencies, ...p.optionalDependencies }) };
      } catch {
        return { version: "unreadable", dir: dirname(pj), deps: [] };
      }
    }
    if (dirname(d) === d) return undefined;
  }
}

/** A task's code version, its files (relative to the root) with each file's hash, and the packages it runs with. */
export interface CodeVersion {
  version: string;
  files: string[];
  hashes: Record<string, string>;
  /** npm package → exact installed version (its own dependencies too) */
  packages: Record<string, string>;
}

export class CodeVersions {
  private memo = new Map<string, CodeVersion>();
  /** raw file hashes, once per command (a file shared by several closures is read once) */
  private raws = new Map<string, string>();
  private raw = (file: string) => {
    let h = this.raws.get(file);
    if (h === undefined) this.raws.set(file, (h = fileSha(file)));
    return h;
  };
  /** package folder → version, once per command */
  private versions = new Map<string, ReturnType<typeof installed>>();
  constructor(private readonly root: string) {}

  of(run: RunDef): CodeVersion {
    const k = canonical(run);
    let v = this.memo.get(k);
    if (!v) {
      v = this.compute(run);
      this.memo.set(k, v);
    }
    return v;
  }

  /** Every package the imports reach, with its installed version: name → version ("not installed" too). */
  private packageVersions(roots: { name: string; from: string }[]): Record<string, string> {
    const out: Record<string, string> = {};
    const todo = [...roots];
    const seen = new Set<string>();
    while (todo.length) {
      const { name, from } = todo.pop()!;
      const id = `${name}\0${from}`;
      if (seen.has(id)) continue;
      seen.add(id);
      let p = this.versions.get(id);
      if (!this.versions.has(id)) this.versions.set(id, (p = installed(name, from)));
      const v = p?.version ?? "not installed";
      // the same name at two versions (nested installs) keeps both
      out[name] = out[name] && out[name] !== v ? [...new Set([...out[name]!.split(" | "), v])].sort().join(" | ") : v;
      for (const d of p?.deps ?? []) todo.push({ name: d, from: p!.dir });
    }
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  private compute(run: RunDef): CodeVersion {
    let files: string[];
    let packages: Record<string, string> = {};
    if ("module" in run) {
      const c = cachedClosure(resolve(this.root, run.module), this.raw);
      files = c.files;
      packages = this.packageVersions(c.packages);
    } else files = expandCodeGlobs(run.code ?? [], this.root);
    // Paths are recorded relative to the root so that a moved checkout keeps its keys.
    const parts = files.map((f) => [relative(this.root, f), existsSync(f) ? codeHash(f) : "missing"]);
    const version = sha256(canonical({ run: "module" in run ? { module: run.module } : { argv: run.argv }, files: parts, packages }));
    return { version, files: files.map((f) => relative(this.root, f)), hashes: Object.fromEntries(parts) as Record<string, string>, packages };
  }
}
