// Per session × stimulus: the binary spike tensor per structure (presentation × unit ×
// bin), running speed and pupil/gaze interpolated at the bin centres. Writes a cube
// (tasks/formats/cube.ts); the per-stimulus node turns cubes into HDF5.
import { defineTask, TaskError } from "#flow/task";
import { Nwb } from "../formats/nwb/open.js";
import { unitSpikes } from "../formats/nwb/read-units.js";
import { sessionSignals, GAZE_COLUMNS } from "../formats/nwb/behaviour.js";
import { readJson, readJsonKept } from "../formats/json.js";
import { writeCube, packedLength } from "../formats/cube.js";
import type { KeptPresentations, SessionUnits } from "../formats/intermediates.js";
import { interpSorted } from "../science/interpolation.js";
import { binCentres, binSession, nBinsFor, structureGroups, type BinSpec } from "../science/binning.js";
import { isMovie } from "../science/cleaning.js";
import { numericParam, stimulusType } from "../science/stimulus-types.js";

/**
 * Spike arrays this worker has already found sorted. unitSpikes() hands the next bin node
 * of the same session the very same arrays (other bytes get new ones), and checking
 * every spike time again in each of a session's ten nodes was a third of their time.
 */
const checkedSorted = new WeakSet<Float64Array>();

export default defineTask({
  inputs: { nwb: "file", units: "file", presentations: "file" },
  outputs: { cube: "file" },
  params: { session: "integer", stimulus: "string", bin_width: "number", spec: "value" },
  async run(ctx) {
    const stim = stimulusType(ctx.params.spec, ctx.params.stimulus);
    const w = ctx.params.bin_width;
    const kept = readJsonKept<KeptPresentations>(ctx.inputs.presentations, ctx.inputHashes.presentations);
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
    // A session without this stimulus gets an empty cube (no presentations, no structures).
    const groups = P > 0 ? structureGroups(units) : new Map<string, typeof units>();
    let spikes = new Map<string, Uint8Array>();
    let pupil = new Map<string, Float32Array>();
    let speed = new Float32Array(0);
    let sessionType = "";
    if (P > 0) {
      const nwb = await Nwb.open(ctx.inputs.nwb, ctx.inputHashes.nwb);
      try {
        const spec: BinSpec = {
          start: Float64Array.from(rows, (r) => r.start_time),
          stop: Float64Array.from(rows, (r) => r.stop_time),
          nBins: T,
          binWidth: w,
          clipAtStop: isMovie(stim.name),
        };
        spikes = binSession(
          groups,
          spec,
          (r) => unitSpikes(nwb, r),
          packedLength,
          checkedSorted,
          (id, i, a, b) => new TaskError(`${nwb.path}: spike times of unit ${id} are not sorted (at index ${i}: ${a} then ${b})`),
        );
        // behaviour at start + bin centre
        const x = new Float64Array(P * T);
        for (let p = 0; p < P; p++) for (let k = 0; k < T; k++) x[p * T + k] = spec.start[p]! + time[k]!;
        const { running, gaze } = sessionSignals(nwb);
        sessionType = nwb.has("/general/stimulus") ? (nwb.strings("/general/stimulus")[0] ?? "") : "";
        speed = Float32Array.from(interpSorted(x, running.times, running.values));
        if (gaze) pupil = new Map(GAZE_COLUMNS.map((c) => [c, Float32Array.from(interpSorted(x, gaze.times, gaze.columns[c]!))]));
      } finally {
        nwb.close();
      }
    }
    writeCube(ctx.outputs.cube, {
      header: {
        session: ctx.params.session,
        session_type: sessionType,
        nwb_sha256: ctx.inputHashes.nwb,
        stimulus: stim.name,
        stimulus_names: stim.sources,
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
        structures: [...groups].map(([s, us]) => ({ name: s, unit_ids: us.map((u) => u.unit_id) })),
        pupil_columns: [...pupil.keys()],
      },
      spikes,
      speed,
      pupil,
    });
    ctx.log(`${P} presentations × ${T} bins, ${groups.size} structures, ${units.length} units${pupil.size ? ", with pupil" : ""}`);
  },
});
