// Module hooks that let Node 20 run this project's TypeScript straight from source.
// Only files ending in .ts are transformed (esbuild, type stripping only); everything
// else — notably h5wasm's 4 MB bundle — loads untouched. tsx transformed every module
// and cost 2 s / 700 MB per process; this costs ~0.1 s.
import { transformSync } from "esbuild";
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export async function resolve(specifier, context, nextResolve) {
  // TypeScript sources import siblings as "./x.js" (nodenext style): map to ./x.ts.
  const parent = context.parentURL;
  if (parent && parent.endsWith(".ts") && specifier.endsWith(".js") &&
      (specifier.startsWith("./") || specifier.startsWith("../"))) {
    const url = new URL(specifier, parent);
    if (!existsSync(fileURLToPath(url))) {
      const ts = new URL(url.href.slice(0, -3) + ".ts");
      if (existsSync(fileURLToPath(ts))) return { url: ts.href, format: "module", shortCircuit: true };
    }
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (url.startsWith("file:") && url.endsWith(".ts")) {
    const file = fileURLToPath(url);
    const out = transformSync(readFileSync(file, "utf8"), {
      loader: "ts", format: "esm", target: "node20", sourcemap: "inline", sourcefile: file,
    });
    return { format: "module", source: out.code, shortCircuit: true };
  }
  return nextLoad(url, context);
}
