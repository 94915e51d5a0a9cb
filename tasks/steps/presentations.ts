// Per session: the AllenSDK stimulus_presentations table, minus the stimulus names the
// dataset never uses (spontaneous, shuffled movies, invalid presentations).
import { defineTask, TaskError } from "#flow/task";
import { Nwb } from "../formats/nwb/open.js";
import { readPresentations } from "../formats/nwb/read-presentations.js";
import { writeJson } from "../formats/json.js";
import { presentationSummary, type Row } from "../science/cleaning.js";
import type { SessionPresentations } from "../formats/intermediates.js";

export default defineTask({
  inputs: { nwb: "file" },
  outputs: { table: "file", summary: "file" },
  params: { session: "integer", drop_names: "strings" },
  async run(ctx) {
    const nwb = await Nwb.open(ctx.inputs.nwb);
    try {
      const drop = ctx.params.drop_names;
      const all = readPresentations(nwb);
      for (const p of all) {
        if (!Number.isFinite(p.start_time) || !Number.isFinite(p.stop_time)) {
          throw new TaskError(
            `${nwb.path}: presentation ${p.stimulus_presentation_id} (${p.stimulus_name}) has start_time ${p.start_time}, stop_time ${p.stop_time}`,
          );
        }
      }
      const kept = all.filter((p) => !drop.some((d) => p.stimulus_name.includes(d)));
      // Missing parameters are left out of the rows (null is implied): the table stays
      // small; the CSVs still show every column, with AllenSDK's "null".
      // (A new object per row, not `delete`: deleting turns 70 000 objects into slow
      // dictionaries, and that cost a tenth of the node.)
      for (const p of kept) {
        const params: typeof p.params = {};
        for (const k in p.params) if (p.params[k] !== null) params[k] = p.params[k]!;
        p.params = params;
      }
      const session = ctx.params.session;
      const out: SessionPresentations = { session, presentations: kept };
      writeJson(ctx.outputs.table, out);
      // the rows are written: they can take the session id in place (the merge copies what it changes)
      const rows = kept as Row[];
      for (const r of rows) r.session = session;
      writeJson(ctx.outputs.summary, presentationSummary(session, rows));
      ctx.log(`${all.length} presentations, ${kept.length} after dropping ${drop.join("/")}`);
    } finally {
      nwb.close();
    }
  },
});
