// Gathered over all sessions: the presentation tables of the output contract
// (01_original, 02_whole_movies, 03_filtered, median_durations, filtered_summary), and
// per session the kept presentations the binning reads. The median is over all
// sessions together, which is why this node is not per session.
import { writeFileSync } from "node:fs";
import { defineTask, TaskError } from "#flow/task";
import { readJson, writeJson } from "../formats/json.js";
import { toCsv, type Cell as CsvCell } from "../formats/pyfmt.js";
import { mergeWholeMovies, medianFilter, removeBlanks, type Row } from "../science/cleaning.js";
import { stimulusTypes, relevantBySource } from "../science/stimulus-types.js";
import type { SessionPresentations } from "./presentations.js";

export interface KeptPresentations {
  session: number;
  presentations: Row[];
  /** presentations per stimulus name before any filtering (after the whole-movie merge) */
  before: Record<string, number>;
}

function tableCsv(rows: Row[]): string {
  const params = [...new Set(rows.flatMap((r) => Object.keys(r.params)))].sort();
  const cols = [
    "session_id",
    "stimulus_presentation_id",
    "stimulus_name",
    "stimulus_block",
    "start_time",
    "stop_time",
    "duration",
    "stimulus_condition_id",
    ...params,
  ];
  const cell = (v: unknown): CsvCell => (v === null || v === undefined ? "null" : (v as CsvCell));
  const data = rows.map((r) => [
    r.session,
    r.stimulus_presentation_id,
    r.stimulus_name,
    cell(r.stimulus_block),
    r.start_time,
    r.stop_time,
    r.duration,
    cell(r.stimulus_condition_id),
    ...params.map((p) => cell(r.params[p])),
  ]);
  return toCsv(cols, data, new Set(["session_id", "stimulus_presentation_id", "stimulus_condition_id"]));
}

export default defineTask({
  inputs: { tables: "files" },
  outputs: { original: "file", whole_movies: "file", filtered: "file", medians: "file", summary: "file", kept: "files" },
  params: ["stimuli", "median_threshold_movie", "median_threshold_other"],
  run(ctx) {
    const types = stimulusTypes(ctx.params.stimuli!);
    const relevant = relevantBySource(types);
    const tables = ctx.inputs.tables.map((p) => readJson<SessionPresentations>(p));
    const rows: Row[] = tables.flatMap((t) => t.presentations.map((p) => ({ ...p, session: t.session })));
    writeFileSync(ctx.outputs.original, tableCsv(rows));

    const whole = mergeWholeMovies(rows);
    writeFileSync(ctx.outputs.whole_movies, tableCsv(whole));

    const { kept, medians, summary } = medianFilter(whole, Number(ctx.params.median_threshold_movie), Number(ctx.params.median_threshold_other));
    writeFileSync(
      ctx.outputs.medians,
      toCsv(
        ["stimulus_name", "median_duration"],
        [...medians].map(([n, m]) => [n, m]),
      ),
    );
    writeFileSync(
      ctx.outputs.summary,
      toCsv(
        ["stimulus_name", "before", "after", "removed", "percent"],
        summary.map((s) => [s.stimulus_name, s.before, s.after, s.removed, s.percent]),
        new Set(["before", "after", "removed"]),
      ),
    );

    const filtered = removeBlanks(kept, (n) => relevant.get(n));
    writeFileSync(ctx.outputs.filtered, tableCsv(filtered));

    const perSession = ctx.outputs.kept;
    for (const [session, path] of Object.entries(perSession)) {
      const s = Number(session);
      if (!tables.some((t) => t.session === s)) throw new TaskError(`clean: no presentations table for session ${session}`);
      const before: Record<string, number> = {};
      for (const r of whole) if (r.session === s) before[r.stimulus_name] = (before[r.stimulus_name] ?? 0) + 1;
      const out: KeptPresentations = { session: s, presentations: filtered.filter((r) => r.session === s && relevant.has(r.stimulus_name)), before };
      writeJson(path, out);
    }
    ctx.log(
      `${rows.length} presentations, ${whole.length} after whole-movie merge, ${kept.length} after the median filter, ${filtered.length} after blank removal`,
    );
  },
});
