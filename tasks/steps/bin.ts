// Per session × stimulus: the binary spike tensor per structure (presentation × unit ×
// bin), running speed and pupil/gaze interpolated at the bin centres. Writes a cube
// (tasks/formats/cube.ts); the per-stimulus node turns cubes into HDF5.
import { defineTask, TaskError } from "#flow/task";
import { Nwb } from "../formats/nwb/open.js";
import { unitSpikes } from "../formats/nwb/read-units.js";
import { sessionSignals, GAZE_COLUMNS } from "../formats/nwb/behaviour.js";
import { readJson, readJsonKept } from "../formats/json.js";
import { writeCube, packedLength } from "../formats/cube.js";
import { interpSorted } from "../science/interpolation.js";
import { binUnit, binCentres, edgeOffsets, nBinsFor, type BinSpec } from "../science/binning.js";
import { isMovie } from "../science/cleaning.js";
import { stimulusType } from "../science/stimulus-types.js";
import type { KeptPresentations } from "./clean.js";
import type { SessionUnits } from "./units.js";

/** A relevant parameter as float64: numbers as they are, numeric text parsed ("0.25"). */
export function numericParam(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return NaN;
}

/**
 * Spike arrays this worker has already found sorted. unitSpikes() hands the next bin node
 * of the same session the very same arrays (a changed file gets new ones), and checking
 * every spike time again in each of a session's ten nodes was a third of their time.
 */
const checkedSorted = new WeakSet<Float64Array>();

export default defineTask({
  inputs: { nwb: "file", units: "file", presentations: "file" },
  outputs: { cube: "file" },
  params: ["session", "stimulus", "bin_width", "spec"],
  async run(ctx) {
    const stim = stimulusType(ctx.params.spec!, String(ctx.params.stimulus));
    const w = Number(ctx.params.bin_width);
    const session = Number(ctx.params.session);
    const kept = readJsonKept<KeptPresentations>(ctx.inputs.presentations);
    const units = readJson<SessionUnits>(ctx.inputs.units).units.filter((u) => u.kept);
    const rows = kept.presentations
      .filter((p) => stim.sources.includes(p.stimulus_name))
      .sort((a, b) => a.start_time - b.start_time || a.stimulus_presentation_id - b.stimulus_presentation_id);
    const P = rows.length;
    const T = P
      ? nBinsFor(
          rows.map((r) => r.duration),
          w,
        )
      : 0;
    const time = binCentres(T, w);

    // structures in name order; units in AllenSDK order within each
    const groups = new Map<string, typeof units>();
    for (const u of units) {
      if (!u.structure) continue;
      if (!groups.has(u.structure)) groups.set(u.structure, []);
      groups.get(u.structure)!.push(u);
    }
    // A session without this stimulus gets an empty cube (no presentations, no structures).
    const structures = P > 0 ? [...groups.keys()].sort() : [];
    const spikes = new Map<string, Uint8Array>();
    let pupil = new Map<string, Float32Array>();
    let speed = new Float32Array(0);

    if (P > 0) {
      const nwb = await Nwb.open(ctx.inputs.nwb);
      try {
        const spec: BinSpec = {
          start: Float64Array.from(rows, (r) => r.start_time),
          stop: Float64Array.from(rows, (r) => r.stop_time),
          nBins: T,
          binWidth: w,
          clipAtStop: isMovie(stim.name),
        };
        const offsets = edgeOffsets(T, w);
        const slot = new Map<number, { bits: Uint8Array; u: number; U: number; id: number }>();
        for (const s of structures) {
          const us = groups.get(s)!;
          const bits = new Uint8Array(packedLength(P * us.length * T));
          spikes.set(s, bits);
          us.forEach((u, i) => slot.set(u.row, { bits, u: i, U: us.length, id: u.unit_id }));
        }
        const spikesOf = unitSpikes(nwb, [...slot.keys()]);
        for (const [row, t] of slot) {
          const s = spikesOf.get(row)!;
          if (!checkedSorted.has(s)) {
            for (let i = 1; i < s.length; i++) {
              if (!(s[i]! >= s[i - 1]!))
                throw new TaskError(`${nwb.path}: spike times of unit ${t.id} are not sorted (at index ${i}: ${s[i - 1]} then ${s[i]})`);
            }
            checkedSorted.add(s);
          }
          binUnit(s, spec, offsets, t.u, t.U, t.bits);
        }
        // behaviour at start + bin centre
        const x = new Float64Array(P * T);
        for (let p = 0; p < P; p++) for (let k = 0; k < T; k++) x[p * T + k] = spec.start[p]! + time[k]!;
        const { running, gaze } = sessionSignals(nwb);
        speed = Float32Array.from(interpSorted(x, running.times, running.values));
        if (gaze) pupil = new Map(GAZE_COLUMNS.map((c) => [c, Float32Array.from(interpSorted(x, gaze.times, gaze.columns[c]!))]));
      } finally {
        nwb.close();
      }
    }
    writeCube(ctx.outputs.cube, {
      header: {
        session,
        stimulus: stim.name,
        bin_width: w,
        presentations_before_filter: stim.sources.reduce((a, n) => a + (kept.before?.[n] ?? 0), 0),
        n_bins: T,
        time: [...time],
        presentations: {
          ids: rows.map((r) => r.stimulus_presentation_id),
          stimulus_block: rows.map((r) => (r.stimulus_block === null ? NaN : r.stimulus_block)),
          start_time: rows.map((r) => r.start_time),
          stop_time: rows.map((r) => r.stop_time),
          duration: rows.map((r) => r.duration),
          params: Object.fromEntries(stim.parameters.map((p) => [p, rows.map((r) => numericParam(r.params[p]))])),
        },
        structures: structures.map((s) => ({ name: s, unit_ids: groups.get(s)!.map((u) => u.unit_id) })),
        pupil_columns: [...pupil.keys()],
      },
      spikes,
      speed,
      pupil,
    });
    ctx.log(`${P} presentations × ${T} bins, ${structures.length} structures, ${units.length} units${pupil.size ? ", with pupil" : ""}`);
  },
});
