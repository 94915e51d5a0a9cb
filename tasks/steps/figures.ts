// The dataset's bar charts: units per structure and sessions per stimulus (from the
// statistics), the median-duration filter before and after (from clean's summary). The
// figures of each stimulus type are stimulus-figures.ts.
import { readFileSync, writeFileSync } from "node:fs";
import { defineTask } from "#flow/task";
import { parseCsv } from "../formats/pyfmt.js";
import { barChart, pairedBarChart } from "../formats/charts.js";

export default defineTask({
  inputs: { stats: "file", summary: "file" },
  outputs: { units_per_structure: "file", sessions_per_stimulus: "file", filter_summary: "file" },
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
  },
});
