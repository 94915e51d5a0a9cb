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
import { LineWriter } from "../formats/lines.js";
import { csvLine, fixedCells, paramCell, paramCells } from "../formats/presentation-tables.js";
import type { CleaningPlan, FilteredRow, KeptPresentations, SessionPresentations } from "../formats/intermediates.js";
import { mergeWholeMovies, keptByMedian, removeBlanks, type Row } from "../science/cleaning.js";
import { stimulusTypes, relevantBySource } from "../science/stimulus-types.js";

export default defineTask({
  inputs: { table: "file", plan: "file" },
  outputs: { kept: "file", original_rows: "file", whole_rows: "file", filtered_rows: "file" },
  params: { session: "integer", stimuli: "value", median_threshold_movie: "number", median_threshold_other: "number" },
  run(ctx) {
    const relevant = relevantBySource(stimulusTypes(ctx.params.stimuli));
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

    const kept = whole.filter((r) => keptByMedian(r, medians, ctx.params.median_threshold_movie, ctx.params.median_threshold_other));
    const filtered = removeBlanks(kept, (n) => relevant.get(n));
    const spool = new JsonLines<FilteredRow>(ctx.outputs.filtered_rows);
    for (const r of filtered) spool.push([fixedCells(r), paramCells(r)]);
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
