// The dataset's figures: units per structure and sessions per stimulus (from the
// statistics), the median-duration filter before and after (from clean's summary), and
// for every stimulus type a trials × bins raster of a few units per structure with the
// structure's PSTH — all labelled from the data (bin width, structures), never assumed.
import { readFileSync, writeFileSync } from "node:fs";
import { defineTask } from "#flow/task";
import { parseCsv } from "../formats/pyfmt.js";
import { readCube, readCubeHeader } from "../formats/cube.js";
import { barChart, pairedBarChart, rasterFigure, type RasterPanel } from "../formats/charts.js";

const UNITS_SHOWN = 2,
  TRIALS_SHOWN = 30,
  STRUCTURES_SHOWN = 8;

/**
 * Set bits per bin k (bit b of a P × U × T cube is bin b mod T), visiting only the set
 * bits: asking every bin of a full session's cubes, bit by bit, was most of this node.
 */
export function binCounts(bits: Uint8Array, nBits: number, T: number): Uint32Array {
  const counts = new Uint32Array(T);
  for (let i = 0; i < bits.length; i++) {
    let v = bits[i]!;
    while (v !== 0) {
      const low = v & -v;
      const b = (i << 3) + 31 - Math.clz32(low);
      if (b < nBits) counts[b % T]!++;
      v ^= low;
    }
  }
  return counts;
}

export default defineTask({
  inputs: { stats: "file", summary: "file", cubes: "files" },
  outputs: { units_per_structure: "file", sessions_per_stimulus: "file", filter_summary: "file", raster: "files" },
  run(ctx) {
    const { columns, rows } = parseCsv(readFileSync(ctx.inputs.stats, "utf8"));
    const col = (name: string) => columns.indexOf(name);
    const [iStim, iSess, iStruct, iUnits] = ["stimulus_type", "session_id", "brain_structure", "n_units"].map(col);
    const unitsBy = new Map<string, Map<string, number>>(); // structure → session → units
    const sessionsBy = new Map<string, Set<string>>();
    for (const r of rows) {
      const s = r[iStruct!]!,
        sess = r[iSess!]!,
        stim = r[iStim!]!;
      if (!unitsBy.has(s)) unitsBy.set(s, new Map());
      unitsBy.get(s)!.set(sess, Math.max(unitsBy.get(s)!.get(sess) ?? 0, Number(r[iUnits!])));
      if (!sessionsBy.has(stim)) sessionsBy.set(stim, new Set());
      sessionsBy.get(stim)!.add(sess);
    }
    const nSessions = new Set(rows.map((r) => r[iSess!])).size;
    const sorted = (m: [string, number][]) => m.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    writeFileSync(
      ctx.outputs.units_per_structure,
      barChart(
        `Units per brain structure (quality-filtered, ${nSessions} sessions)`,
        "units",
        sorted([...unitsBy].map(([s, m]) => [s, [...m.values()].reduce((a, b) => a + b, 0)])),
      ),
    );
    writeFileSync(
      ctx.outputs.sessions_per_stimulus,
      barChart(`Sessions per stimulus type (of ${nSessions})`, "sessions", sorted([...sessionsBy].map(([s, set]) => [s, set.size]))),
    );

    const summary = parseCsv(readFileSync(ctx.inputs.summary, "utf8"));
    const sc = (n: string) => summary.columns.indexOf(n);
    writeFileSync(
      ctx.outputs.filter_summary,
      pairedBarChart(
        "Stimulus presentations before and after the median-duration filter",
        "presentations (all sessions)",
        summary.rows.map((r) => [r[sc("stimulus_name")]!, Number(r[sc("before")]), Number(r[sc("after")])]),
        ["before", "after"],
      ),
    );

    // One raster per stimulus type: the first session (by id) that shows it.
    const headers = ctx.inputs.cubes.map((p) => ({ p, h: readCubeHeader(p) }));
    for (const [stimulus, out] of Object.entries(ctx.outputs.raster)) {
      const first = headers.filter((x) => x.h.stimulus === stimulus && x.h.presentations.ids.length > 0).sort((a, b) => a.h.session - b.h.session)[0];
      if (!first) {
        writeFileSync(out, barChart(`${stimulus}: no session shows it after filtering`, "", []));
        continue;
      }
      const cube = readCube(first.p);
      const h = cube.header,
        T = h.n_bins,
        P = h.presentations.ids.length;
      const trials = Math.min(TRIALS_SHOWN, P);
      const structures = [...h.structures]
        .sort((a, b) => b.unit_ids.length - a.unit_ids.length || (a.name < b.name ? -1 : 1))
        .slice(0, STRUCTURES_SHOWN);
      const panels: RasterPanel[] = structures.map((s) => {
        const U = s.unit_ids.length;
        const bits = cube.spikes.get(s.name)!;
        const spike = (p: number, u: number, k: number) => {
          const b = (p * U + u) * T + k;
          return ((bits[b >>> 3]! >>> (b & 7)) & 1) === 1;
        };
        const psth = Array.from(binCounts(bits, P * U * T, T), (n) => n / Math.max(1, P * U));
        return {
          structure: s.name,
          nUnits: U,
          nTrials: P,
          trials,
          psth,
          units: s.unit_ids.slice(0, UNITS_SHOWN).map((id, u) => ({ id, spike: (tr: number, k: number) => spike(tr, u, k) })),
        };
      });
      const ms = Number((h.bin_width * 1000).toPrecision(6));
      writeFileSync(
        out,
        rasterFigure(
          `${stimulus}: spikes per ${ms} ms bin, session ${h.session}`,
          `first ${trials} of ${P} trials for ${Math.min(UNITS_SHOWN, Math.max(...structures.map((s) => s.unit_ids.length)))} units per structure; PSTH = mean spike probability per bin over all units and trials`,
          h.time,
          h.bin_width,
          panels,
        ),
      );
    }
  },
});
