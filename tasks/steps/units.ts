// Per session: every unit with AllenSDK's default-filter verdict, its structure and
// its place in AllenSDK's unit order.
import { defineTask, TaskError } from "#flow/task";
import { Nwb } from "../formats/nwb/open.js";
import { readUnits } from "../formats/nwb/read-units.js";
import { writeJson } from "../formats/json.js";
import type { SessionUnits } from "../formats/intermediates.js";

export default defineTask({
  inputs: { nwb: "file" },
  outputs: { units: "file" },
  params: { session: "integer", amplitude_cutoff_maximum: "number", presence_ratio_minimum: "number", isi_violations_maximum: "number" },
  async run(ctx) {
    const nwb = await Nwb.open(ctx.inputs.nwb);
    try {
      const { amplitude_cutoff_maximum, presence_ratio_minimum, isi_violations_maximum } = ctx.params;
      const units = readUnits(nwb, { amplitude_cutoff_maximum, presence_ratio_minimum, isi_violations_maximum });
      const kept = units.filter((u) => u.kept);
      if (kept.length === 0) throw new TaskError(`${nwb.path}: no unit passes the quality filter (${units.length} units in the file)`);
      const out: SessionUnits = { session: ctx.params.session, units };
      writeJson(ctx.outputs.units, out);
      ctx.log(`${units.length} units, ${kept.length} pass the default filter`);
    } finally {
      nwb.close();
    }
  },
});
