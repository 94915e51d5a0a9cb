// A task's code version: the hash of its module and of every local module it imports
// at run time (transitively, from esbuild's metafile), so editing a task — or a helper
// only it uses — makes exactly its nodes stale. `import type` carries no code.
// The engine's own files (engine/task.ts, the task API) are not part of any task's code:
// editing the engine must not make every node of every pipeline stale; a change of its
// semantics is a deliberate salt in the key (plan.ts, `v`).
// For a shell task: its argv template plus the files it lists under `code:`.
// A JavaScript/TypeScript file is hashed as esbuild prints it with comments, whitespace
// and types stripped: editing a comment or reformatting leaves its nodes up to date.
import { readFileSync, existsSync, realpathSync, mkdirSync, writeFileSync, renameSync } from "node:fs";
import { createRequire } from "node:module";
import type * as Esbuild from "esbuild";
import { fileURLToPath } from "node:url";
import { dirname, resolve, relative, sep } from "node:path";
import { canonical, sha256 } from "./canonical.js";
import type { RunSpec } from "../pipeline/types.js";

// esbuild is loaded only when a closure or a code hash is not cached: its module costs
// ~75 ms, and a warm `status` or no-op run needs none of it.
let esbuildModule: typeof Esbuild | undefined;
const esbuild = (): typeof Esbuild => (esbuildModule ??= createRequire(import.meta.url)("esbuild") as typeof Esbuild);

/** This engine's folder, by real path (a workspace may reach it through a symlink). */
const ENGINE_DIR = realpathSync(fileURLToPath(new URL("..", import.meta.url)));

/**
 * The local files a module runs: esbuild bundles it (nothing written) and its metafile
 * lists every input it followed — the real import graph, with the resolution Node and
 * the TypeScript loader use, so `export *`, side-effect imports and JSON files count,
 * and `import type` (erased code) does not. Packages, Node built-ins and the engine
 * (the task API, reached as #flow/task or by path) are left out.
 * A module that does not build (a syntax error, a missing import) has only itself: the
 * task fails when it runs, and its key changes once it builds again. (Such a closure is
 * never cached: the missing file may appear without the module changing.)
 */
export function moduleClosure(entry: string): string[] {
  return buildClosure(entry) ?? [entry];
}

function buildClosure(entry: string): string[] | undefined {
  let inputs: string[];
  try {
    const r = esbuild().buildSync({
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
    });
    inputs = Object.keys(r.metafile.inputs).map((f) => resolve(dirname(entry), f));
  } catch {
    return undefined;
  }
  const out = new Set([entry]);
  for (const f of inputs) if (!isEngineFile(f) && !f.split(sep).includes("node_modules")) out.add(f);
  return [...out].sort();
}

function isEngineFile(f: string): boolean {
  try {
    return realpathSync(f).startsWith(ENGINE_DIR + sep);
  } catch {
    return false;
  }
}

/**
 * A module's closure, kept beside the normalised hashes with the raw hash of every file
 * in it: while none of those files changes, no import in the graph changed, so a warm
 * `flow status` starts no esbuild. (One blind spot, as for any import scanner: a new
 * file that changes how an unchanged import resolves, e.g. x/index.ts beside x.ts.)
 */
function cachedClosure(entry: string, rawHash: (file: string) => string): string[] {
  const file = `${CODE_CACHE}closure-${sha256(`${NORMALISE}\0${entry}`)}`;
  try {
    const c = JSON.parse(readFileSync(file, "utf8")) as { files: string[]; raw: string[] };
    if (c.files.every((f, i) => rawHash(f) === c.raw[i])) return c.files;
  } catch {
    /* none yet, or unreadable: build it */
  }
  const built = buildClosure(entry);
  if (!built) return [entry];
  const files = built;
  try {
    mkdirSync(CODE_CACHE, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ files, raw: files.map(rawHash) }));
    renameSync(tmp, file);
  } catch {
    /* a read-only install: build it again next time */
  }
  return files;
}

/** sha256 of a file's bytes ("missing" when it cannot be read). */
function fileSha(file: string): string {
  try {
    return sha256(readFileSync(file));
  } catch {
    return "missing";
  }
}

// Normalised hashes are kept by raw content hash (esbuild's first call starts its
// service process, ~0.4 s; a cache hit needs none): `flow status` stays fast.
const CODE_CACHE = fileURLToPath(new URL("../../node_modules/.cache/flow-code/", import.meta.url));
const NORMALISE = "code-v1"; // bump when the normalisation changes

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
  } catch {
    return raw; // does not parse: the task will say why when it runs
  }
  try {
    mkdirSync(CODE_CACHE, { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    writeFileSync(tmp, h);
    renameSync(tmp, cached);
  } catch {
    /* a read-only install: compute again next time */
  }
  return h;
}

/** A task's code version, its files (relative to the root) and each file's hash. */
export interface CodeVersion {
  version: string;
  files: string[];
  hashes: Record<string, string>;
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
  constructor(private readonly root: string) {}

  of(run: RunSpec): CodeVersion {
    const k = canonical(run);
    let v = this.memo.get(k);
    if (!v) {
      v = this.compute(run);
      this.memo.set(k, v);
    }
    return v;
  }

  private compute(run: RunSpec) {
    const files =
      "module" in run ? cachedClosure(resolve(this.root, run.module), this.raw) : (run.code ?? []).map((c) => resolve(this.root, c)).sort();
    // Paths are recorded relative to the root so that a moved checkout keeps its keys.
    const parts = files.map((f) => [relative(this.root, f), existsSync(f) ? codeHash(f) : "missing"]);
    const version = sha256(canonical({ run: "module" in run ? { module: run.module } : { argv: run.argv }, files: parts }));
    return { version, files: files.map((f) => relative(this.root, f)), hashes: Object.fromEntries(parts) as Record<string, string> };
  }
}
