// Compression of the 0/1 uint8 spike tensors: gzip (flow's choice, level 3)
// against HDF5's built-in scale-offset filter (filter 6, integer mode, minimum bits
// found by HDF5: 1 bit per 0/1 element), on tensors of the pipeline's chunk shape at
// firing densities from sparse to dense. Baseline in the same process: no filter.
// Every written file is read back and compared element by element.
//   node bin/run-ts.js bench/compression.ts
import h5wasm from "h5wasm/node";
import { statSync, rmSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { table, WORK } from "./lib.js";

const [U, P, B] = [200, 2000, 25]; // units × presentations × 20 ms bins (0.5 s windows)

function tensor(density: number): Uint8Array {
  const n = U * P * B;
  const d = new Uint8Array(n);
  let x = 12345;
  const cut = Math.round(density * 2 ** 24);
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    d[i] = x >>> 8 < cut ? 1 : 0;
  }
  return d;
}

type Filter = { name: string; opts: Record<string, unknown> };
const FILTERS: Filter[] = [
  { name: "none (baseline)", opts: {} },
  { name: "gzip 3 (flow's)", opts: { compression: "gzip", compression_opts: 3 } },
  { name: "scale-offset (1 bit)", opts: { compression: 6, compression_opts: [2, 0] } },
];

export async function compression() {
  console.log(`\n# Compression of 0/1 spike tensors (${U} × ${P} × ${B} uint8 = ${((U * P * B) / 1e6).toFixed(0)} MB)`);
  await h5wasm.ready;
  const dir = join(WORK, "compression");
  mkdirSync(dir, { recursive: true });
  const rows: [string, string, string?][] = [];
  for (const density of [0.005, 0.02, 0.1, 0.2]) {
    const data = tensor(density);
    for (const f of FILTERS) {
      const path = join(dir, "t.h5");
      const t0 = performance.now();
      const h = new h5wasm.File(path, "w");
      h.create_dataset({ name: "d", data, shape: [U, P, B], dtype: "<B", chunks: [U, 64, B], ...(f.opts as object) });
      h.close();
      const write = performance.now() - t0;
      const t1 = performance.now();
      const r = new h5wasm.File(path, "r");
      const back = (r.get("d") as unknown as { value: Uint8Array }).value;
      r.close();
      const read = performance.now() - t1;
      for (let i = 0; i < data.length; i++) if (back[i] !== data[i]) throw new Error(`${f.name}: element ${i} differs after a round trip`);
      const ratio = statSync(path).size / data.length;
      rows.push([
        `density ${(density * 100).toFixed(1)} %: ${f.name}`,
        `${ratio.toFixed(4)}× size, write ${write.toFixed(0)} ms, read ${read.toFixed(0)} ms`,
      ]);
      rmSync(path);
    }
  }
  table(rows);
}

if (import.meta.url === `file://${process.argv[1]}`) await compression();
