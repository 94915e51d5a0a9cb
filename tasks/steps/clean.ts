// Gathered over all sessions: the presentation tables of the output contract
// (01_original, 02_whole_movies, 03_filtered, median_durations, filtered_summary), and
// per session the kept presentations the binning reads. The median is over all
// sessions together, which is why this node is not per session.
import { writeFileSync, rmSync } from "node:fs";
import { defineTask, TaskError } from "#flow/task";
import { readJson, writeJson, JsonLines } from "../formats/json.js";
import { toCsv, CsvWriter, type Cell as CsvCell } from "../formats/pyfmt.js";
import { mergeWholeMovies, medianDurations, keptByMedian, filterSummary, removeBlanks, type Row } from "../science/cleaning.js";
import { stimulusTypes, relevantBySource } from "../science/stimulus-types.js";
import type { SessionPresentations, PresentationSummary } from "./presentations.js";

export interface KeptPresentations {
  session: number;
  presentations: Row[];
  /** presentations per stimulus name before any filtering (after the whole-movie merge) */
  before: Record<string, number>;
}

const INT_COLUMNS = new Set(["session_id", "stimulus_presentation_id", "stimulus_condition_id"]);

/** The columns of a presentation table: fixed ones, then every param name in the table, sorted. */
const columns = (params: string[]) => [
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
const cells = (r: Row, params: string[]): CsvCell[] => [
  r.session,
  r.stimulus_presentation_id,
  r.stimulus_name,
  cell(r.stimulus_block),
  r.start_time,
  r.stop_time,
  r.duration,
  cell(r.stimulus_condition_id),
  ...params.map((p) => cell(r.params[p])),
];

/** A session's presentation rows, with its id on each. */
function sessionRows(path: string): { session: number; rows: Row[] } {
  const t = readJson<SessionPresentations>(path);
  // in place (the rows were just parsed, nobody else holds them): a copy of every row
  // doubled what the garbage collector had to do, ~a quarter of this node's time
  const rows = t.presentations as Row[];
  for (const r of rows) r.session = t.session;
  return { session: t.session, rows };
}

export default defineTask({
  inputs: { summaries: "files", tables: "files" },
  outputs: { original: "file", whole_movies: "file", filtered: "file", medians: "file", summary: "file", kept: "files" },
  params: ["stimuli", "median_threshold_movie", "median_threshold_other"],
  // One session's table in memory at a time (58 full sessions are ~4·10⁶ rows): a first
  // pass over the sessions' summaries collects the column names and every duration (the
  // median is over all sessions), a second reads each table once and writes the tables
  // row by row. The filtered table's columns are the params of the rows that survive,
  // known only at the end: its rows wait in a spool file.
  run(ctx) {
    const types = stimulusTypes(ctx.params.stimuli!);
    const relevant = relevantBySource(types);
    const thMovie = Number(ctx.params.median_threshold_movie);
    const thOther = Number(ctx.params.median_threshold_other);
    const paths = ctx.inputs.tables;

    const originalParams = new Set<string>();
    const wholeParams = new Set<string>();
    const durations = new Map<string, number[]>(); // stimulus name → durations, in order of appearance
    const order: number[] = [];
    for (const p of ctx.inputs.summaries) {
      const s = readJson<PresentationSummary>(p);
      order.push(s.session);
      for (const k of s.params) originalParams.add(k);
      for (const k of s.whole_params) wholeParams.add(k);
      for (const [name, ds] of s.durations) {
        const all = durations.get(name);
        if (all) for (const d of ds) all.push(d);
        else durations.set(name, [...ds]);
      }
    }
    if (order.length !== paths.length) throw new TaskError(`clean: ${order.length} presentation summaries for ${paths.length} tables`);
    const medians = medianDurations(durations);

    const origCols = [...originalParams].sort();
    const wholeCols = [...wholeParams].sort();
    const original = new CsvWriter(ctx.outputs.original, columns(origCols), INT_COLUMNS);
    const wholeCsv = new CsvWriter(ctx.outputs.whole_movies, columns(wholeCols), INT_COLUMNS);
    const spool = new JsonLines<Row>(`${ctx.outputs.filtered}.rows.jsonl`);
    const filteredParams = new Set<string>();
    const after = new Map<string, number>();
    const seen = new Set<number>();
    let nRows = 0,
      nWhole = 0,
      nKept = 0,
      nFiltered = 0;
    for (const [i, p] of paths.entries()) {
      const { session, rows } = sessionRows(p);
      // the durations above are in this order: a table must follow its own summary
      if (order[i] !== session) throw new TaskError(`clean: ${p} is session ${session}, but its summary is of session ${order[i]}`);
      seen.add(session);
      for (const r of rows) original.row(cells(r, origCols));
      const whole = mergeWholeMovies(rows);
      for (const r of whole) wholeCsv.row(cells(r, wholeCols));
      const kept = whole.filter((r) => keptByMedian(r, medians, thMovie, thOther));
      for (const r of kept) after.set(r.stimulus_name, (after.get(r.stimulus_name) ?? 0) + 1);
      const filtered = removeBlanks(kept, (n) => relevant.get(n));
      for (const r of filtered) {
        for (const k of Object.keys(r.params)) filteredParams.add(k);
        spool.push(r);
      }
      nRows += rows.length;
      nWhole += whole.length;
      nKept += kept.length;
      nFiltered += filtered.length;
      const out = ctx.outputs.kept[String(session)];
      if (out !== undefined) {
        const before: Record<string, number> = {};
        for (const r of whole) before[r.stimulus_name] = (before[r.stimulus_name] ?? 0) + 1;
        const k: KeptPresentations = { session, presentations: filtered.filter((r) => relevant.has(r.stimulus_name)), before };
        writeJson(out, k);
      }
    }
    original.close();
    wholeCsv.close();
    for (const session of Object.keys(ctx.outputs.kept))
      if (!seen.has(Number(session))) throw new TaskError(`clean: no presentations table for session ${session}`);

    const filteredCols = [...filteredParams].sort();
    const filteredCsv = new CsvWriter(ctx.outputs.filtered, columns(filteredCols), INT_COLUMNS);
    spool.drain((r) => filteredCsv.row(cells(r, filteredCols)));
    filteredCsv.close();
    rmSync(spool.path);

    writeFileSync(
      ctx.outputs.medians,
      toCsv(
        ["stimulus_name", "median_duration"],
        [...medians].map(([n, m]) => [n, m]),
      ),
    );
    const summary = filterSummary(new Map([...durations].map(([n, ds]) => [n, ds.length])), after);
    writeFileSync(
      ctx.outputs.summary,
      toCsv(
        ["stimulus_name", "before", "after", "removed", "percent"],
        summary.map((s) => [s.stimulus_name, s.before, s.after, s.removed, s.percent]),
        new Set(["before", "after", "removed"]),
      ),
    );
    ctx.log(`${nRows} presentations, ${nWhole} after whole-movie merge, ${nKept} after the median filter, ${nFiltered} after blank removal`);
  },
});
