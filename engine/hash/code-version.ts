// A task's code version: the hash of its module and of every local module it imports
// at run time (transitively), so editing a task — or a helper only it uses — makes
// exactly its nodes stale. `import type` lines carry no code and are skipped.
// The engine's own files (engine/task.ts, the task API) are not part of any task's code:
// editing the engine must not make every node of every pipeline stale; a change of its
// semantics is a deliberate salt in the key (plan.ts, `v`).
// For a shell task: its argv template plus the files it lists under `code:`.
// A JavaScript/TypeScript file is hashed as esbuild prints it with comments, whitespace
// and types stripped: editing a comment or reformatting leaves its nodes up to date.
import { readFileSync, existsSync, realpathSync, mkdirSync, writeFileSync, renameSync } from "node:fs";
import { transformSync } from "esbuild";
import { fileURLToPath } from "node:url";
import { dirname, resolve, relative, sep } from "node:path";
import { canonical, sha256 } from "./canonical.js";
import type { RunSpec } from "../pipeline/types.js";

const IMPORT = /(?:^|[;\s])(?:import|export)\s+(type\s+)?(?:[^'"`;]*?\s+from\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function localImports(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    if (m[1]) continue; // import type … from
    const spec = m[2] ?? m[3];
    if (!spec || !(spec.startsWith("./") || spec.startsWith("../"))) continue;
    const base = resolve(dirname(file), spec);
    const candidates = [base, base.replace(/\.js$/, ".ts"), `${base}.ts`, `${base}/index.ts`];
    const hit = candidates.find((c) => existsSync(c) && !c.endsWith("/"));
    if (hit) out.push(hit);
  }
  return out;
}

/** This engine's folder, by real path (a workspace may reach it through a symlink). */
const ENGINE_DIR = realpathSync(fileURLToPath(new URL("..", import.meta.url)));

function isEngineFile(f: string): boolean {
  try {
    return realpathSync(f).startsWith(ENGINE_DIR + sep);
  } catch {
    return false;
  }
}

export function moduleClosure(entry: string): string[] {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    if (f !== entry && isEngineFile(f)) continue;
    seen.add(f);
    let text: string;
    try {
      text = readFileSync(f, "utf8");
    } catch {
      continue;
    }
    for (const i of localImports(f, text)) todo.push(i);
  }
  return [...seen].sort();
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
    const out = transformSync(text.toString("utf8"), {
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
    const files = "module" in run ? moduleClosure(resolve(this.root, run.module)) : (run.code ?? []).map((c) => resolve(this.root, c)).sort();
    // Paths are recorded relative to the root so that a moved checkout keeps its keys.
    const parts = files.map((f) => [relative(this.root, f), existsSync(f) ? codeHash(f) : "missing"]);
    const version = sha256(canonical({ run: "module" in run ? { module: run.module } : { argv: run.argv }, files: parts }));
    return { version, files: files.map((f) => relative(this.root, f)), hashes: Object.fromEntries(parts) as Record<string, string> };
  }
}
