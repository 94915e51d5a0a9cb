// Per session, with the medians of all sessions (the `medians` node's plan): the
// whole-movie merge, the median-duration filter and blank removal
// (docs/design.md §4.2–4.4). Writes the kept presentations the binning reads, and
// this session's rows of the three presentation tables, formatted, for the `tables`
// gather to concatenate:
// the rows of 01_original and 02_whole_movies in the plan's columns, ready to append;
// the rows of 03_filtered with their own params, since that table's columns (the params
// of the rows that survive in any session) are known only once every session is done.
import { defineTask } from "#flow/task";
import { readJson, writeJson, JsonLines } from "../formats/json.js";
import { csvCell, type Cell as CsvCell } from "../formats/pyfmt.js";
import { LineWriter } from "../formats/lines.js";
import { mergeWholeMovies, keptByMedian, removeBlanks, type Row } from "../science/cleaning.js";
import { stimulusTypes, relevantBySource } from "../science/stimulus-types.js";
import type { SessionPresentations } from "./presentations.js";
import type { CleaningPlan } from "./medians.js";

export interface KeptPresentations {
  session: number;
  presentations: Row[];
  /** presentations per stimulus name before any filtering (after the whole-movie merge) */
  before: Record<string, number>;
}

/** A row of 03_filtered.csv: its first eight cells, formatted, and its params' cells by name (a missing one is "null"). */
export type FilteredRow = [string[], Record<string, string>];

/** The fixed columns of every presentation table; the params follow, sorted. */
export const FIXED_COLUMNS = [
  "session_id",
  "stimulus_presentation_id",
  "stimulus_name",
  "stimulus_block",
  "start_time",
  "stop_time",
  "duration",
  "stimulus_condition_id",
];
const INT_COLUMNS = new Set(["session_id", "stimulus_presentation_id", "stimulus_condition_id"]);
const FIXED_INT = FIXED_COLUMNS.map((c) => INT_COLUMNS.has(c));

const cell = (v: unknown): CsvCell => (v === null || v === undefined ? "null" : (v as CsvCell));
const fixedCells = (r: Row): string[] =>
  [
    r.session,
    r.stimulus_presentation_id,
    r.stimulus_name,
    cell(r.stimulus_block),
    r.start_time,
    r.stop_time,
    r.duration,
    cell(r.stimulus_condition_id),
  ].map((v, i) => csvCell(v, { int: FIXED_INT[i] }));
/** A row as a line of a table with these param columns: its cells formatted by csvCell, as toCsv writes them. */
export const csvLine = (fixed: string[], params: (p: string) => string, columns: string[]) => [...fixed, ...columns.map(params)].join(",");
const paramCell = (r: Row) => (p: string) => csvCell(cell(r.params[p]));

export default defineTask({
  inputs: { table: "file", plan: "file" },
  outputs: { kept: "file", original_rows: "file", whole_rows: "file", filtered_rows: "file" },
  params: ["session", "stimuli", "median_threshold_movie", "median_threshold_other"],
  run(ctx) {
    const types = stimulusTypes(ctx.params.stimuli!);
    const relevant = relevantBySource(types);
    const thMovie = Number(ctx.params.median_threshold_movie);
    const thOther = Number(ctx.params.median_threshold_other);
    const plan = readJson<CleaningPlan>(ctx.inputs.plan);
    const medians = new Map(plan.medians);

    const t = readJson<SessionPresentations>(ctx.inputs.table);
    const session = t.session;
    // in place (the rows were just parsed, nobody else holds them): a copy of every row
    // doubled what the garbage collector had to do
    const rows = t.presentations as Row[];
    for (const r of rows) r.session = session;

    const original = new LineWriter(ctx.outputs.original_rows);
    for (const r of rows) original.line(csvLine(fixedCells(r), paramCell(r), plan.original_params));
    original.close();
    const whole = mergeWholeMovies(rows);
    const wholeOut = new LineWriter(ctx.outputs.whole_rows);
    for (const r of whole) wholeOut.line(csvLine(fixedCells(r), paramCell(r), plan.whole_params));
    wholeOut.close();

    const kept = whole.filter((r) => keptByMedian(r, medians, thMovie, thOther));
    const filtered = removeBlanks(kept, (n) => relevant.get(n));
    const spool = new JsonLines<FilteredRow>(ctx.outputs.filtered_rows);
    for (const r of filtered) spool.push([fixedCells(r), Object.fromEntries(Object.keys(r.params).map((k) => [k, csvCell(cell(r.params[k]))]))]);
    spool.close();

    const before: Record<string, number> = {};
    for (const r of whole) before[r.stimulus_name] = (before[r.stimulus_name] ?? 0) + 1;
    const out: KeptPresentations = { session, presentations: filtered.filter((r) => relevant.has(r.stimulus_name)), before };
    writeJson(ctx.outputs.kept, out);
    ctx.log(
      `${rows.length} presentations, ${whole.length} after whole-movie merge, ${kept.length} after the median filter, ${filtered.length} after blank removal`,
    );
  },
});
