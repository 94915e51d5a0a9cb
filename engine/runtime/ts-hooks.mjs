// Module hooks that let Node 20 run this project's TypeScript straight from source.
// Only files ending in .ts are transformed (esbuild, type stripping only); everything
// else — notably h5wasm's 4 MB bundle — loads untouched. tsx transformed every module
// and cost 2 s / 700 MB per process; this costs ~0.1 s.
import { readFileSync, existsSync, writeFileSync, mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { hostname } from "node:os";

// flow's API entries, for task and command modules anywhere: inside this repository the
// package.json `imports` map them; a pipeline in another folder gets the same files.
const API = {
  "#flow/task": new URL("../api/task.ts", import.meta.url).href,
  "#flow/command": new URL("../api/command.ts", import.meta.url).href,
};

export async function resolve(specifier, context, nextResolve) {
  if (specifier in API) {
    try {
      return await nextResolve(specifier, context);
    } catch {
      return { url: API[specifier], format: "module", shortCircuit: true };
    }
  }
  // TypeScript sources import siblings as "./x.js" (nodenext style): map to ./x.ts.
  const parent = context.parentURL;
  if (parent && parent.endsWith(".ts") && specifier.endsWith(".js") && (specifier.startsWith("./") || specifier.startsWith("../"))) {
    const url = new URL(specifier, parent);
    if (!existsSync(fileURLToPath(url))) {
      const ts = new URL(url.href.slice(0, -3) + ".ts");
      if (existsSync(fileURLToPath(ts))) return { url: ts.href, format: "module", shortCircuit: true };
    }
  }
  return nextResolve(specifier, context);
}

// Transformed sources are kept by content hash in node_modules/.cache/flow-ts: every
// esbuild call is a synchronous round trip to its service process (~0.4 s of each CLI
// start), and a cache hit needs no esbuild at all. Written by temp + rename (the temp
// named as engine/host/temp.ts names them, so a sweep recognises a dead writer's).
const CACHE = fileURLToPath(new URL("../../node_modules/.cache/flow-ts/", import.meta.url));
// Inline source maps: a task's stack trace names its own lines (Node is told to use them, register.mjs).
const ESBUILD_OPTS = { loader: "ts", format: "esm", target: "node20", sourcemap: "inline" };
// esbuild itself is imported only on a cache miss: its module costs ~75 ms in every
// process (head, each worker) that would otherwise find every source in the cache. Its
// version, part of the key, is read from its package.json instead.
// (found the way Node finds the package itself, wherever it is installed)
const ESBUILD_VERSION = createRequire(import.meta.url)("esbuild/package.json").version;
const SALT = JSON.stringify(ESBUILD_OPTS) + ESBUILD_VERSION;
const HOST = hostname().replace(/[^A-Za-z0-9._-]/g, "_") || "localhost";

export async function load(url, context, nextLoad) {
  if (url.startsWith("file:") && url.endsWith(".ts")) {
    const file = fileURLToPath(url);
    const text = readFileSync(file, "utf8");
    const key = createHash("sha256").update(SALT).update("\0").update(file).update("\0").update(text).digest("hex");
    const cached = join(CACHE, `${key}.js`);
    let code;
    try {
      code = readFileSync(cached, "utf8");
    } catch {
      const { transformSync } = await import("esbuild");
      code = transformSync(text, { ...ESBUILD_OPTS, sourcefile: file }).code;
      try {
        mkdirSync(CACHE, { recursive: true });
        const tmp = join(CACHE, `.${key}.js.tmp-${HOST}-${process.pid}-${randomBytes(4).toString("hex")}`);
        writeFileSync(tmp, code);
        renameSync(tmp, cached);
      } catch {
        /* a read-only install: no cache, same result */
      }
    }
    return { format: "module", source: code, shortCircuit: true };
  }
  return nextLoad(url, context);
}
