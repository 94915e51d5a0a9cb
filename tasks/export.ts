// `flow export <stimulus> <structure> <out_dir> [--data spike_data|speed]`: the
// original's access_stimulus_structure — one .npy per session,
// session_<id>-<stimulus>-<structure>-<data>.npy; spikes as units × presentations × time,
// speed as presentations × time.
import { parseArgs } from "node:util";
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { CommandFn } from "../engine/task.js";
import { h5, type H5Group, type H5Dataset } from "./lib/h5.js";
import { checkHdf5File } from "./nwb/open.js";

/** A .npy (format 1.0) file: magic, header dict padded to 64 bytes, C-order data. */
export function npy(descr: "|u1" | "<f4" | "<f8", shape: number[], data: ArrayBufferView): Buffer {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(", ")}${shape.length === 1 ? "," : ""}), }`;
  const total = 10 + dict.length + 1;
  const pad = (64 - (total % 64)) % 64;
  const header = dict + " ".repeat(pad) + "\n";
  const pre = Buffer.alloc(10);
  pre.write("\x93NUMPY", 0, "latin1");
  pre[6] = 1; pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, "latin1"), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

export const command: CommandFn = async (args, ctx) => {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { data: { type: "string", default: "spike_data" }, help: { type: "boolean" } } });
  const usage = "usage: flow export <stimulus> <structure> <out_dir> [--data spike_data|speed]";
  if (values.help) { ctx.log(usage); return 0; }
  if (positionals.length !== 3 || !["spike_data", "speed"].includes(values.data!)) { ctx.log(usage); return 2; }
  const [stimulus, structure, outDir] = positionals as [string, string, string];
  // Both become parts of file names: only the pipeline's own stimulus types, plain names.
  const known = Object.keys((ctx.params.stimuli ?? {}) as Record<string, unknown>);
  if (!known.includes(stimulus)) {
    ctx.log(`flow export: unknown stimulus '${stimulus}' (stimuli: ${known.join(", ")})`);
    return 2;
  }
  if (!/^[A-Za-z0-9_-]+$/.test(structure)) {
    ctx.log(`flow export: structure '${structure}' is not a structure acronym`);
    return 2;
  }
  const dataDir = resolve(ctx.root, String(ctx.params.data_dir));
  const file = join(dataDir, "02_stimulus_types", `${stimulus}.h5`);
  if (!existsSync(file)) {
    ctx.log(`flow export: ${file}: no such file (run 'flow run' first)`);
    return 2;
  }
  checkHdf5File(file);
  const lib = await h5();
  const f = new lib.File(file, "r");
  try {
    mkdirSync(resolve(outDir), { recursive: true });
    let n = 0;
    for (const sess of f.keys().sort()) {
      const sg = f.get(sess) as H5Group;
      if (!sg.keys().includes(structure)) continue;
      const g = sg.get(structure) as H5Group;
      const name = `${sess}-${stimulus}-${structure}-${values.data}.npy`;
      if (values.data === "speed") {
        const d = (g.get("speed") as H5Group).get("speed") as H5Dataset;
        writeFileSync(join(outDir, name), npy("<f4", d.shape!, d.value as Float32Array));
      } else {
        const d = (g.get("spike_data") as H5Group).get("spike_data") as H5Dataset;
        const [P, U, T] = d.shape as [number, number, number];
        const src = d.value as Uint8Array;
        const out = new Uint8Array(src.length); // (P, U, T) → (U, P, T)
        for (let p = 0; p < P; p++) for (let u = 0; u < U; u++) out.set(src.subarray((p * U + u) * T, (p * U + u + 1) * T), (u * P + p) * T);
        writeFileSync(join(outDir, name), npy("|u1", [U, P, T], out));
      }
      n++;
    }
    if (n === 0) {
      ctx.log(`flow export: no session of ${stimulus} has structure '${structure}'`);
      return 2;
    }
    ctx.log(`wrote ${n} file(s) to ${resolve(outDir)}`);
    return 0;
  } finally {
    f.close();
  }
};
