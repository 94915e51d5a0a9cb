// Per natural-visual stimulus: <data_dir>/03_subset_natural_visual/<stimulus>.h5, the
// stimulus file with only the structures whose acronym starts with the prefix (VIS).
import { defineTask } from "#flow/task";
import { writeStimulusFile } from "../formats/netcdf.js";
import { SHAPING_PARAMS } from "../formats/cf-attributes.js";

export default defineTask({
  inputs: { cubes: "files" },
  outputs: { h5: "file" },
  params: { natural_visual: "string", structure_prefix: "string", ...SHAPING_PARAMS },
  async run(ctx) {
    const prefix = ctx.params.structure_prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const r = await writeStimulusFile(ctx.outputs.h5, ctx.inputs.cubes, {
      stimulus: ctx.params.natural_visual,
      params: ctx.params,
      flowVersion: ctx.flowVersion,
      nodeKey: ctx.key,
      structures: new RegExp(`^${prefix}`),
    });
    ctx.log(`${r.sessions} sessions, ${r.groups} session×structure groups`);
  },
});
