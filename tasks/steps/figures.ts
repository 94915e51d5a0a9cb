// Summary figures: units per structure, sessions per stimulus, presentations per
// structure (from the statistics), and a raster of spikes over bins from one cube.
import { readFileSync, writeFileSync } from "node:fs";
import { defineTask } from "../../engine/task.js";
import { parseCsv } from "../lib/pyfmt.js";
import { readCube, readCubeHeader } from "../lib/cube.js";
import { barChart, raster } from "../figures.js";

export default defineTask({
  run(ctx) {
    const { columns, rows } = parseCsv(readFileSync(ctx.inputs.stats as string, "utf8"));
    const col = (name: string) => columns.indexOf(name);
    const [iStim, iSess, iStruct, iPres, iUnits] = ["stimulus_type", "session_id", "brain_structure", "n_presentations", "n_units"].map(col);
    const unitsBy = new Map<string, Map<string, number>>(); // structure → session → units
    const sessionsBy = new Map<string, Set<string>>();
    const presBy = new Map<string, number>();
    for (const r of rows) {
      const s = r[iStruct!]!, sess = r[iSess!]!, stim = r[iStim!]!;
      if (!unitsBy.has(s)) unitsBy.set(s, new Map());
      unitsBy.get(s)!.set(sess, Math.max(unitsBy.get(s)!.get(sess) ?? 0, Number(r[iUnits!])));
      if (!sessionsBy.has(stim)) sessionsBy.set(stim, new Set());
      sessionsBy.get(stim)!.add(sess);
      presBy.set(s, (presBy.get(s) ?? 0) + Number(r[iPres!]));
    }
    const sorted = (m: [string, number][]) => m.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    writeFileSync(ctx.outputs.units_per_structure as string, barChart("Units per brain structure (all sessions)", "units",
      sorted([...unitsBy].map(([s, m]) => [s, [...m.values()].reduce((a, b) => a + b, 0)]))));
    writeFileSync(ctx.outputs.sessions_per_stimulus as string, barChart("Sessions per stimulus type", "sessions",
      sorted([...sessionsBy].map(([s, set]) => [s, set.size]))));
    writeFileSync(ctx.outputs.presentations_per_structure as string, barChart("Presentations per brain structure (summed over sessions and stimuli)", "presentations",
      sorted([...presBy])));

    // Raster: the first session that has the stimulus, its first structure, the first presentations.
    const first = (ctx.inputs.raster as string[]).find((p) => readCubeHeader(p).presentations.ids.length > 0);
    const cube = first ? readCube(first) : undefined;
    if (!cube) {
      writeFileSync(ctx.outputs.raster as string, barChart("No presentations for the raster", "", []));
      return;
    }
    const h = cube.header;
    const s = h.structures.find((x) => x.name.startsWith("VIS")) ?? h.structures[0]!;
    const U = s.unit_ids.length, T = h.n_bins;
    const nP = Math.max(1, Math.min(h.presentations.ids.length, Math.floor(600 / T)));
    const bits = cube.spikes.get(s.name)!;
    writeFileSync(ctx.outputs.raster as string, raster(
      `Spikes over 20 ms bins — ${h.stimulus}, session ${h.session}, ${s.name}, first ${nP} presentation(s)`,
      (u, c) => {
        const p = Math.floor(c / T), k = c % T;
        const b = (p * U + u) * T + k;
        return ((bits[b >>> 3]! >>> (b & 7)) & 1) === 1;
      }, U, nP * T, T));
  },
});
