// `flow invalidate selector…`: marks nodes and everything downstream stale (lines in
// .flow/state.jsonl: each holds until the node is recorded again).
import { splitFile, commonInput, type CommandSpec, type Values } from "../options.js";
import { openSession, type Io } from "../io.js";
import { selectFromArgs } from "../../plan/select.js";
import { FlowError } from "../../errors.js";

async function invalidateCommand(positionals: string[], values: Values, io: Io): Promise<number> {
  const { file, rest } = splitFile(positionals);
  if (rest.length === 0) throw new FlowError("usage", "flow invalidate needs at least one selector (e.g. stimulus=dot_motion)");
  const input = commonInput(values, file);
  const session = await openSession(input, io, "plan");
  try {
    const pipeline = session.graph;
    const hit = selectFromArgs(pipeline.nodes, rest);
    const ws = session.workspace;
    ws.lock.acquire(`flow invalidate ${rest.join(" ")}`);
    try {
      const ids = pipeline.dag.closureDown(hit.map((n) => n.id));
      const list = pipeline.nodes.map((n) => n.id).filter((id) => ids.has(id));
      ws.state.invalidate(list);
      if (input.json) io.out(JSON.stringify({ invalidated: list }) + "\n");
      else io.out(`${list.length} node(s) marked stale:\n${list.map((id) => `  ${id}`).join("\n")}\n`);
    } finally {
      ws.lock.release();
    }
    return 0;
  } finally {
    await session.close();
  }
}

export const invalidate: CommandSpec = {
  name: "invalidate",
  summary: "force nodes (and their dependents) to re-run",
  description:
    "Marks the matching nodes and everything downstream of them stale; the next run\nrecomputes them even though the cache has their keys. A node that finishes is up to\ndate again, whatever stops the run after it.\n\nSelectors: key=value (stimulus=dot_motion, task=bin; several narrow together), or\ntargets: a node id ('bin[session=1,stimulus=flashes]'), an output path or a folder\nof outputs (data/02_stimulus_types/flashes.h5; several add up).",
  args: "[file] selector…",
  options: [],
  run: invalidateCommand,
};
