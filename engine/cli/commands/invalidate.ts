import { splitFile, common, type CommandSpec, type Values } from "../args.js";
import { openContext, type Io } from "../context.js";
import { selectFromArgs } from "../../plan/select.js";
import { FlowError } from "../../errors.js";

async function invalidateCommand(positionals: string[], values: Values, io: Io): Promise<number> {
  const { file, rest } = splitFile(positionals);
  if (rest.length === 0) throw new FlowError("usage", "flow invalidate needs at least one selector (e.g. stimulus=dot_motion)");
  const { pipeline, ws } = await openContext({ ...common(values), file });
  try {
    const hit = selectFromArgs(pipeline.nodes, rest);
    ws.lock.acquire(`flow invalidate ${rest.join(" ")}`);
    try {
      const ids = pipeline.dag.closureDown(hit.map((n) => n.id));
      const all = ws.state.invalidated();
      for (const id of ids) all.add(id);
      ws.state.setInvalidated(all);
      const list = pipeline.nodes.map((n) => n.id).filter((id) => ids.has(id));
      if (values.json) io.out(JSON.stringify({ invalidated: list }) + "\n");
      else io.out(`${list.length} node(s) marked stale:\n${list.map((id) => `  ${id}`).join("\n")}\n`);
    } finally {
      ws.lock.release();
    }
    return 0;
  } finally {
    await ws.close();
  }
}

export const invalidate: CommandSpec = {
  name: "invalidate",
  summary: "force nodes (and their dependents) to re-run",
  description:
    "Marks the matching nodes and everything downstream of them stale; the next run\nrecomputes them even though the cache has their keys. Selectors: key=value on a\nnode's foreach values, task=<id>; several AND together.\n\nSelectors: key=value (stimulus=dot_motion, task=bin; several narrow together), or\ntargets: a node id (\'bin[session=1,stimulus=flashes]\'), an output path or a folder\nof outputs (data/02_stimulus_types/flashes.h5; several add up).",
  args: "[file] selector…",
  options: [],
  run: invalidateCommand,
};
