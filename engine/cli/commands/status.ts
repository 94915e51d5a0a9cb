// `flow status`: every node's state and why — and the outputs of nodes that left the graph,
// which the next run removes.
import { relative } from "node:path";
import { splitFile, commonInput, type CommandSpec, type Values } from "../options.js";
import { openSession, type Io } from "../io.js";
import { selectFromArgs } from "../../plan/select.js";
import { describeStep } from "../../session/prepare.js";
import { orphanedOutputs } from "../../workspace/leftovers.js";

async function statusCommand(positionals: string[], values: Values, io: Io): Promise<number> {
  const { file, rest } = splitFile(positionals);
  const input = commonInput(values, file);
  const session = await openSession(input, io, "describe");
  try {
    if (session.pending.length) {
      // A fresh clone: say what `flow run` would do first, write nothing.
      const message = `not prepared yet: 'flow run' first ${session.pending.map(describeStep).join("; ")}`;
      io.out(input.json ? JSON.stringify({ prepare: message }) + "\n" : `${message}\n`);
      return 0;
    }
    const pipeline = session.graph;
    const show = rest.length ? new Set(selectFromArgs(pipeline.nodes, rest).map((n) => n.id)) : undefined;
    const planner = await session.planner();
    const rows = [];
    for await (const a of planner.assessAll(show && pipeline.dag.closureUp(show))) {
      const n = a.node;
      if (show && !show.has(n.id)) continue;
      rows.push({ id: n.id, task: n.task, params: { ...n.params, ...n.vars }, state: a.state, reasons: a.reasons });
    }
    const orphans = show ? [] : orphanedOutputs(session.workspace.state, pipeline.nodes, session.workspace.stat);
    if (input.json) {
      io.out(JSON.stringify(rows) + "\n");
      return 0;
    }
    const counts = new Map<string, number>();
    for (const r of rows) {
      counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
      if (r.state === "up-to-date" && !input.verbose) continue;
      io.out(`${r.state.padEnd(11)} ${r.id}${r.reasons.length ? `\n${r.reasons.map((x) => `              ${x}`).join("\n")}` : ""}\n`);
    }
    if (orphans.length) {
      io.out(`${orphans.length} output(s) of nodes no longer in the graph; the next run removes them (the cache keeps them):\n`);
      for (const o of orphans.slice(0, 20)) io.out(`              ${relative(session.root, o.path)} (${o.node})\n`);
      if (orphans.length > 20) io.out(`              … and ${orphans.length - 20} more\n`);
    }
    io.out([...counts].map(([s, c]) => `${c} ${s}`).join(", ") + "\n");
    return 0;
  } finally {
    await session.close();
  }
}

export const status: CommandSpec = {
  name: "status",
  summary: "every node's state, and why it is stale",
  description:
    "Every node's state — up-to-date, restorable (outputs missing but in the cache), stale,\nnever-run — and, for the others, why. Reads no input file whose size, mtime, ctime and\ninode are unchanged. Lists the outputs of nodes no longer in the graph, which the next\nrun removes. On a fresh clone, says what `flow run` would prepare first.\n\nSelectors: key=value (stimulus=dot_motion, task=bin; several narrow together), or\ntargets: a node id ('bin[session=1,stimulus=flashes]'), an output path or a folder\nof outputs (data/02_stimulus_types/flashes.h5; several add up).",
  args: "[file] [selector…]",
  options: [],
  run: statusCommand,
};
