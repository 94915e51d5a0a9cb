// Gathered over all sessions, from their presentation summaries (kilobytes each): the
// median duration of every stimulus name (docs/design.md §4.3 — over all sessions
// together, which is why this node is not per session), what the median filter keeps
// of each name, and the columns of the presentation tables. Everything per session —
// reading a whole table, the CSV rows, the kept presentations — is in `clean`, which
// runs per session in parallel: this node is the only serial one, and it is small.
import { writeFileSync } from "node:fs";
import { defineTask, TaskError } from "#flow/task";
import { readJson, writeJson } from "../formats/json.js";
import { toCsv } from "../formats/pyfmt.js";
import { medianDurations, filterSummary, keptDuration } from "../science/cleaning.js";
import type { CleaningPlan, PresentationSummary } from "../formats/intermediates.js";

export default defineTask({
  inputs: { summaries: "files" },
  outputs: { medians: "file", summary: "file", plan: "file" },
  params: { median_threshold_movie: "number", median_threshold_other: "number" },
  run(ctx) {
    const { median_threshold_movie: thMovie, median_threshold_other: thOther } = ctx.params;
    const originalParams = new Set<string>();
    const wholeParams = new Set<string>();
    const durations = new Map<string, number[]>(); // stimulus name → durations, in order of appearance
    const sessions = new Set<number>();
    for (const p of ctx.inputs.summaries) {
      const s = readJson<PresentationSummary>(p);
      if (sessions.has(s.session)) throw new TaskError(`medians: ${p}: session ${s.session} appears twice`);
      sessions.add(s.session);
      for (const k of s.params) originalParams.add(k);
      for (const k of s.whole_params) wholeParams.add(k);
      for (const [name, ds] of s.durations) {
        const all = durations.get(name);
        if (all) for (const d of ds) all.push(d);
        else durations.set(name, [...ds]);
      }
    }
    const medians = medianDurations(durations);
    writeFileSync(
      ctx.outputs.medians,
      toCsv(
        ["stimulus_name", "median_duration"],
        [...medians].map(([n, m]) => [n, m]),
      ),
    );
    // what the filter keeps depends on a row's name and duration only: counted here
    // from the same durations each session's clean filters
    const after = new Map<string, number>();
    for (const [name, ds] of durations) after.set(name, ds.filter((d) => keptDuration(name, d, medians, thMovie, thOther)).length);
    const summary = filterSummary(new Map([...durations].map(([n, ds]) => [n, ds.length])), after);
    writeFileSync(
      ctx.outputs.summary,
      toCsv(
        ["stimulus_name", "before", "after", "removed", "percent"],
        summary.map((s) => [s.stimulus_name, s.before, s.after, s.removed, s.percent]),
        new Set(["before", "after", "removed"]),
      ),
    );
    const plan: CleaningPlan = { medians: [...medians], original_params: [...originalParams].sort(), whole_params: [...wholeParams].sort() };
    writeJson(ctx.outputs.plan, plan);
    ctx.log(`${sessions.size} sessions, ${[...durations.values()].reduce((a, ds) => a + ds.length, 0)} presentations after the whole-movie merge`);
  },
});
