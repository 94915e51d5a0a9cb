// `flow export <stimulus> <structure> <out_dir> [--data spike_data|speed|pupil] [--format npz|npy]`:
// the original's access_stimulus_structure — one file per session — now labelled: a .npz
// with the arrays, their coordinates and the names of the axes (or the bare .npy files
// with a .json sidecar). Spikes as units × presentations × time (the original's order),
// speed and pupil as presentations × time. Only from an up-to-date stimulus file.
import { mkdirSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { FlowError, type CommandCli, type CommandFn } from "#flow/command";
import { h5, type H5Group, type H5Dataset } from "../formats/h5.js";
import { checkHdf5File } from "../formats/nwb/open.js";
import { zipStored } from "../formats/npz.js";

/** A .npy (format 1.0) file: magic, header dict padded to 64 bytes, C-order data. */
export function npy(descr: "|u1" | "<f4" | "<f8" | "<i8" | `<U${number}`, shape: number[], data: ArrayBufferView): Buffer {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(", ")}${shape.length === 1 ? "," : ""}), }`;
  const total = 10 + dict.length + 1;
  const header = dict + " ".repeat((64 - (total % 64)) % 64) + "\n";
  const pre = Buffer.alloc(10);
  pre.write("\x93NUMPY", 0, "latin1");
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, "latin1"), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

/** A 1-D array of strings as numpy's '<U' (UTF-32), for the `dims` entry. */
function npyStrings(xs: string[]): Buffer {
  const n = Math.max(1, ...xs.map((x) => [...x].length));
  const data = new Uint32Array(xs.length * n);
  xs.forEach((x, i) =>
    [...x].forEach((ch, k) => {
      data[i * n + k] = ch.codePointAt(0)!;
    }),
  );
  return npy(`<U${n}`, [xs.length], data);
}

const int64 = (d: H5Dataset) => BigInt64Array.from(d.value as ArrayLike<bigint> | BigInt64Array, (x) => BigInt(x));

export const cli: CommandCli = {
  args: "<stimulus> <structure> <out_dir>",
  description: `One file per session of the stimulus type's HDF5 file, for the brain structure: session_<id>-<stimulus>-<structure>-<data>.npz (numpy.load) holding the array(s) and their coordinates: spike_data as (unit_id, presentation_id, time) — the original dataset's order, units first; speed and the pupil_data variables as (presentation_id, time); 'dims' names the axes in order. --format npy writes the bare .npy files (as the original) with a .json sidecar giving the dims and coordinates. Both carry the presentations' times and stimulus parameters (orientation, temporal_frequency, …) by presentation_id. The stimulus file must be up to date.`,
  options: [
    { flags: "--data <what>", description: "what to export", default: "spike_data", choices: ["spike_data", "speed", "pupil"] },
    {
      flags: "--format <format>",
      description: "one .npz per session, or bare .npy files with a .json sidecar",
      default: "npz",
      choices: ["npz", "npy"],
    },
  ],
};

export const command: CommandFn = async ({ args, options }, ctx) => {
  const values = { data: String(options.data), format: String(options.format) };
  const [stimulus, structure, outDir] = args as [string, string, string];
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
  // Never export from a file that no longer matches the pipeline (params, code, inputs).
  if (ctx.outputStates) {
    const [st] = await ctx.outputStates([file]);
    if (st && st.state !== "up-to-date") {
      ctx.log(
        `flow export: ${file} is not up to date (${st.state}${st.reasons.length ? `: ${st.reasons.slice(0, 3).join("; ")}` : ""}); run 'flow run' first`,
      );
      return 3;
    }
  }
  checkHdf5File(file);
  const lib = await h5();
  const f = new lib.File(file, "r");
  const out = resolve(outDir);
  const created = !existsSync(out); // removed again if nothing is written
  let n = 0;
  try {
    for (const sess of f.keys().sort()) {
      const sg = f.get(sess) as H5Group;
      if (!sg.keys().includes(structure)) continue;
      const g = sg.get(structure) as H5Group;
      const group = (name: string) => (g.keys().includes(name) ? (g.get(name) as H5Group) : undefined);
      const base = `${sess}-${stimulus}-${structure}-${values.data}`;
      const arrays: [string, Buffer][] = [];
      let dims: string[];
      const coords: Record<string, unknown> = {};
      if (values.data === "spike_data") {
        const sd = group("spike_data")!;
        const d = sd.get("spike_data") as H5Dataset;
        const [P, U, T] = d.shape as [number, number, number];
        const src = d.value as Uint8Array;
        const t = new Uint8Array(src.length); // (P, U, T) → (U, P, T)
        for (let p = 0; p < P; p++) for (let u = 0; u < U; u++) t.set(src.subarray((p * U + u) * T, (p * U + u + 1) * T), (u * P + p) * T);
        dims = ["unit_id", "presentation_id", "time"];
        arrays.push(["spike_data", npy("|u1", [U, P, T], t)]);
        for (const c of dims) coords[c] = sd.get(c) as H5Dataset;
      } else {
        const name = values.data === "speed" ? "speed" : "pupil_data";
        const grp = group(name);
        if (!grp) continue; // a session without eye tracking has no pupil_data
        dims = ["presentation_id", "time"];
        for (const k of grp.keys().sort()) {
          if (dims.includes(k) || k === "time_bounds" || k === "nv") continue; // coordinates and the bin bounds (CF)
          const d = grp.get(k) as H5Dataset;
          arrays.push([k, npy("<f4", d.shape!, d.value as Float32Array)]);
        }
        for (const c of dims) coords[c] = grp.get(c) as H5Dataset;
      }
      // What each presentation was (its times and the stimulus parameters: orientation,
      // temporal_frequency, …), on presentation_id: enough for a tuning curve from the export alone.
      const pres = presentationColumns(group("presentations"), `${file}: /${sess}/${structure}/presentations`);
      for (const [k] of pres) {
        if (k === "dims" || k === "presentation_columns" || dims.includes(k) || arrays.some(([a]) => a === k)) {
          throw new FlowError(
            "io-error",
            `${file}: /${sess}/${structure}/presentations/${k} has the name of an exported array; rename the stimulus parameter`,
          );
        }
      }
      const coordArrays: [string, Buffer][] = dims.map((c) => {
        const d = coords[c] as H5Dataset;
        return [c, c === "time" ? npy("<f8", d.shape!, d.value as Float64Array) : npyInt64(int64(d))];
      });
      if (!n) mkdirSync(out, { recursive: true });
      if (values.format === "npz") {
        const all: [string, Buffer][] = [
          ...arrays,
          ...coordArrays,
          ["dims", npyStrings(dims)],
          ...pres.map(([k, v]): [string, Buffer] => [k, npy("<f8", [v.length], v)]),
          ["presentation_columns", npyStrings(pres.map(([k]) => k))],
        ];
        const entries = all.map(([k, b]): [string, Buffer] => [`${k}.npy`, b]);
        writeFileSync(join(out, `${base}.npz`), zipStored(entries));
      } else {
        if (arrays.length === 1) writeFileSync(join(out, `${base}.npy`), arrays[0]![1]);
        else for (const [k, b] of arrays) writeFileSync(join(out, `${base}-${k}.npy`), b);
        const side = {
          dims,
          ...Object.fromEntries(dims.map((c) => [c, Array.from((coords[c] as H5Dataset).value as ArrayLike<number | bigint>, Number)])),
          // by presentation_id, NaN as null (JSON has no NaN)
          presentations: Object.fromEntries(pres.map(([k, v]) => [k, Array.from(v, (x) => (Number.isNaN(x) ? null : x))])),
        };
        writeFileSync(join(out, `${base}.json`), JSON.stringify(side) + "\n");
      }
      n++;
    }
    if (n === 0) {
      ctx.log(`flow export: no session of ${stimulus} has ${values.data === "pupil" ? "pupil data for " : ""}structure '${structure}'`);
      return 2;
    }
    ctx.log(`wrote ${n} file(s) to ${out}`);
    return 0;
  } catch (e) {
    // no half-filled folder left behind — and the cause is what is said, never the clean-up's own error
    if (created)
      try {
        rmSync(out, { recursive: true, force: true });
      } catch {
        /* nothing to remove (a parent that is a file, a read-only disk) */
      }
    throw e;
  } finally {
    f.close();
  }
};

/** The presentations group's variables (start_time, …, the stimulus parameters) in file order, as float64. */
function presentationColumns(g: H5Group | undefined, where: string): [string, Float64Array][] {
  if (!g) throw new FlowError("io-error", `${where}: no such group`);
  return g
    .keys()
    .filter((k) => k !== "presentation_id")
    .map((k): [string, Float64Array] => {
      const v = (g.get(k) as H5Dataset).value;
      if (!(v instanceof Float64Array)) throw new FlowError("io-error", `${where}/${k}: not float64`);
      return [k, v];
    });
}

function npyInt64(a: BigInt64Array): Buffer {
  return npy("<i8", [a.length], a);
}
