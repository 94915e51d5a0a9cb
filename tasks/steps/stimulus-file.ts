// Per stimulus type: <data_dir>/02_stimulus_types/<stimulus>.h5 from every session's
// cube; with `structure_prefix` set, the natural-visual subset (03_…) instead.
import { defineTask } from "#flow/task";
import { writeStimulusFile } from "../formats/netcdf.js";

export default defineTask({
  inputs: { cubes: "files" },
  outputs: { h5: "file" },
  params: ["gzip_level"], // and stimulus or natural_visual, structure_prefix for the subset
  async run(ctx) {
    const prefix = ctx.params.structure_prefix ? String(ctx.params.structure_prefix) : "";
    const stimulus = String(ctx.params.stimulus ?? ctx.params.natural_visual);
    const r = await writeStimulusFile(ctx.outputs.h5, ctx.inputs.cubes, {
      stimulus,
      gzip: Number(ctx.params.gzip_level),
      flowVersion: ctx.flowVersion,
      nodeKey: ctx.key,
      structures: prefix ? new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`) : undefined,
    });
    ctx.log(`${r.sessions} sessions, ${r.groups} session×structure groups`);
  },
});
