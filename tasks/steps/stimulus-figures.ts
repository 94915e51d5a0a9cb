// Per stimulus type, three figures from its cubes (every session's):
// - raster: the first session (by id) that shows it — per structure its most active unit,
//   trials grouped by the stimulus type's first parameter, and the structure's PSTH;
// - psth: the population PSTH of each structure over all sessions, units and trials;
// - behaviour: running velocity and pupil area, mean ± SD over all trials.
// Rates are spikes/s of the binary bins (a bin counts one spike however many it held).
// Every label comes from the data (bin width, parameter, structures), never assumed.
import { writeFileSync } from "node:fs";
import { defineTask } from "#flow/task";
import { readCube, readCubeHeader, type Cube } from "../formats/cube.js";
import { rasterFigure, type RasterCondition, type RasterPanel } from "../formats/raster-chart.js";
import { populationPsth, spreadFigure, type RatePanel } from "../formats/line-charts.js";
import { emptyFigure } from "../formats/svg.js";
import { binCounts, conditions, PooledRate, TrialSpread, unitCounts } from "../science/summaries.js";
import { median } from "../science/cleaning.js";

/** Trials drawn per raster (split evenly over the conditions; at least one each). */
const RASTER_ROWS = 120;
const RASTER_STRUCTURES = 8;

export default defineTask({
  inputs: { cubes: "files" },
  outputs: { raster: "file", psth: "file", behaviour: "file" },
  params: { stimulus: "string" },
  run(ctx) {
    const stimulus = ctx.params.stimulus;
    const shown = ctx.inputs.cubes
      .map((p) => ({ p, h: readCubeHeader(p) }))
      .filter((c) => c.h.presentations.ids.length > 0)
      .sort((a, b) => a.h.session - b.h.session);
    if (shown.length === 0) {
      for (const out of Object.values(ctx.outputs)) writeFileSync(out, emptyFigure(`${stimulus}: no session shows it after filtering`));
      ctx.log("no session shows it");
      return;
    }
    const w = shown[0]!.h.bin_width;
    const ms = Number((w * 1000).toPrecision(6));
    const rates = new Map<string, PooledRate>();
    const speed = new TrialSpread(),
      pupil = new TrialSpread();
    const durations: number[] = [];
    for (const [i, { p }] of shown.entries()) {
      const cube = readCube(p); // one at a time: memory stays that of one cube
      const h = cube.header,
        P = h.presentations.ids.length,
        T = h.n_bins;
      for (const d of h.presentations.duration) durations.push(d);
      const counts = new Map<string, Uint32Array>(); // spikes per bin, per structure
      for (const s of h.structures) {
        const U = s.unit_ids.length;
        counts.set(s.name, binCounts(cube.spikes.get(s.name)!, P * U * T, T));
        const r = rates.get(s.name) ?? rates.set(s.name, new PooledRate()).get(s.name)!;
        r.add(counts.get(s.name)!, P * U, U);
      }
      speed.add(cube.speed, P, T);
      const area = cube.pupil.get("raw_pupil_area");
      if (area) pupil.add(area, P, T);
      if (i === 0) writeFileSync(ctx.outputs.raster, raster(cube, counts, stimulus, ms));
    }
    const offset = median(durations);
    const panels: RatePanel[] = [...rates]
      .map(([structure, r]) => ({ structure, units: r.units, sessions: r.sessions, rate: r.rate(w) }))
      .sort((a, b) => b.units - a.units || (a.structure < b.structure ? -1 : 1));
    writeFileSync(
      ctx.outputs.psth,
      populationPsth(
        `${stimulus}: population PSTH per structure, ${ms} ms bins`,
        `${shown.length} sessions, every unit and trial; a bin counts one spike however many it held`,
        { binWidth: w, offset },
        panels,
      ),
    );
    writeFileSync(
      ctx.outputs.behaviour,
      spreadFigure(`${stimulus}: running and pupil over trials, ${ms} ms bins`, { binWidth: w, offset }, [
        { label: "running velocity (cm/s)", trials: speed.trials, sessions: speed.sessions, mean: speed.mean(), sd: speed.sd(), none: "no trials" },
        {
          label: "pupil area (pixel²)",
          trials: pupil.trials,
          sessions: pupil.sessions,
          mean: pupil.mean(),
          sd: pupil.sd(),
          none: "no session of this stimulus has eye tracking",
        },
      ]),
    );
    ctx.log(`${shown.length} sessions, ${panels.length} structures`);
  },
});

/** The raster of one session: per structure (those with the most units) its most active unit, trials grouped by condition; `counts` are its spikes per bin. */
function raster(cube: Cube, counts: Map<string, Uint32Array>, stimulus: string, ms: number): string {
  const h = cube.header,
    P = h.presentations.ids.length,
    T = h.n_bins;
  const [parameter, values] = Object.entries(h.presentations.params)[0] ?? ["(none)", new Array<number>(P).fill(NaN)];
  const groups = conditions(values, h.presentations.start_time);
  const perCondition = Math.max(1, Math.floor(RASTER_ROWS / groups.length));
  const conds: RasterCondition[] = groups.map((g) => {
    const trials = g.trials.slice(0, perCondition);
    return { value: g.value, trials, ids: trials.map((t) => h.presentations.ids[t]!), of: g.trials.length };
  });
  const structures = [...h.structures]
    .sort((a, b) => b.unit_ids.length - a.unit_ids.length || (a.name < b.name ? -1 : 1))
    .slice(0, RASTER_STRUCTURES);
  const panels: RasterPanel[] = structures.map((s) => {
    const U = s.unit_ids.length;
    const bits = cube.spikes.get(s.name)!;
    const perUnit = unitCounts(bits, U, T, P * U * T);
    const u = perUnit.indexOf(Math.max(...perUnit)); // the most active; the first of equals
    const spike = (p: number, k: number) => {
      const b = (p * U + u) * T + k;
      return ((bits[b >>> 3]! >>> (b & 7)) & 1) === 1;
    };
    const rate = Array.from(counts.get(s.name)!, (n) => n / (P * U) / h.bin_width);
    return { structure: s.name, nUnits: U, unit: { id: s.unit_ids[u]!, spike }, rate };
  });
  const drawn = conds.reduce((a, c) => a + c.trials.length, 0);
  return rasterFigure({
    title: `${stimulus}: spikes per ${ms} ms bin, session ${h.session}`,
    subtitle: `${drawn} of ${P} trials (up to ${perCondition} per condition, in presentation order)`,
    time: h.time,
    binWidth: h.bin_width,
    parameter,
    conditions: conds,
    offset: median(h.presentations.duration),
    panels,
  });
}
