// Per session: the AllenSDK stimulus_presentations table, minus the stimulus names the
// dataset never uses (spontaneous, shuffled movies, invalid presentations).
import { defineTask, TaskError } from "#flow/task";
import { Nwb } from "../formats/nwb/open.js";
import { readPresentations, type Presentation } from "../formats/nwb/read-presentations.js";
import { writeJson } from "../formats/json.js";

export interface SessionPresentations {
  session: number;
  presentations: Presentation[];
}

export default defineTask({
  inputs: { nwb: "file" },
  outputs: { table: "file" },
  params: ["session", "drop_names"],
  async run(ctx) {
    const nwb = await Nwb.open(ctx.inputs.nwb);
    try {
      const drop = ctx.params.drop_names as string[];
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
      for (const p of kept) for (const [k, v] of Object.entries(p.params)) if (v === null) delete p.params[k];
      const out: SessionPresentations = { session: Number(ctx.params.session), presentations: kept };
      writeJson(ctx.outputs.table, out);
      ctx.log(`${all.length} presentations, ${kept.length} after dropping ${drop.join("/")}`);
    } finally {
      nwb.close();
    }
  },
});
