// Per stimulus type: <data_dir>/02_stimulus_types/<stimulus>.h5 from every session's cube.
import { defineTask } from "#flow/task";
import { writeStimulusFile } from "../formats/netcdf.js";
import { SHAPING_PARAMS } from "../formats/cf-attributes.js";

export default defineTask({
  inputs: { cubes: "files" },
  outputs: { h5: "file" },
  params: { stimulus: "string", ...SHAPING_PARAMS },
  async run(ctx) {
    const r = await writeStimulusFile(ctx.outputs.h5, ctx.inputs.cubes, {
      stimulus: ctx.params.stimulus,
      params: ctx.params,
      flowVersion: ctx.flowVersion,
      nodeKey: ctx.key,
    });
    ctx.log(`${r.sessions} sessions, ${r.groups} session×structure groups`);
  },
});
