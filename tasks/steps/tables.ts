// Gathered over all sessions: the three presentation tables of the output contract
// (01_original, 02_whole_movies, 03_filtered), from the rows each session's `clean`
// formatted. The first two are a header and the sessions' rows appended as they are;
// 03_filtered's columns are the params of every row that survived anywhere, so its rows
// are laid out here. One session's rows in memory at a time (58 full sessions are
// ~4·10⁶ rows, more than one string can hold); byte for byte what one writer gives.
import { openSync, readSync, writeSync, closeSync } from "node:fs";
import { defineTask, TaskError } from "#flow/task";
import { readJson, JsonLines } from "../formats/json.js";
import { LineWriter } from "../formats/lines.js";
import { csvLine, tableHeader as header } from "../formats/presentation-tables.js";
import type { CleaningPlan, FilteredRow } from "../formats/intermediates.js";

/** header, then each part's bytes as they are */
function concatenate(out: string, head: string, parts: string[]) {
  const fd = openSync(out, "w");
  try {
    writeSync(fd, `${head}\n`);
    const buf = Buffer.allocUnsafe(4 << 20);
    for (const part of parts) {
      const src = openSync(part, "r");
      try {
        for (let n; (n = readSync(src, buf, 0, buf.length, null)) > 0;) writeSync(fd, buf, 0, n);
      } finally {
        closeSync(src);
      }
    }
  } finally {
    closeSync(fd);
  }
}

export default defineTask({
  inputs: { plan: "file", original_rows: "files", whole_rows: "files", filtered_rows: "files" },
  outputs: { original: "file", whole_movies: "file", filtered: "file" },
  run(ctx) {
    const plan = readJson<CleaningPlan>(ctx.inputs.plan);
    const { original_rows, whole_rows, filtered_rows } = ctx.inputs;
    if (original_rows.length !== whole_rows.length || whole_rows.length !== filtered_rows.length)
      throw new TaskError(`tables: ${original_rows.length}, ${whole_rows.length} and ${filtered_rows.length} row files: one of each per session`);
    concatenate(ctx.outputs.original, header(plan.original_params), original_rows);
    concatenate(ctx.outputs.whole_movies, header(plan.whole_params), whole_rows);

    const params = new Set<string>();
    let n = 0;
    for (const p of filtered_rows)
      JsonLines.read<FilteredRow>(p, ([, cells]) => {
        for (const k of Object.keys(cells)) params.add(k);
        n++;
      });
    const columns = [...params].sort();
    const out = new LineWriter(ctx.outputs.filtered);
    out.line(header(columns));
    for (const p of filtered_rows) JsonLines.read<FilteredRow>(p, ([fixed, cells]) => out.line(csvLine(fixed, (c) => cells[c] ?? "null", columns)));
    out.close();
    ctx.log(`${ctx.inputs.filtered_rows.length} sessions, ${n} presentations in 03_filtered.csv`);
  },
});
