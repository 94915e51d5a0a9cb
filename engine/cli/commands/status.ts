import { splitFile, common, type CommandSpec, type Values } from "../args.js";
import { openContext, type Io } from "../context.js";
import { selectFromArgs } from "../../plan/select.js";
import { Planner } from "../../plan/plan.js";
import { FlowError } from "../../errors.js";

async function statusCommand(positionals: string[], values: Values, io: Io): Promise<number> {
  const { file, rest } = splitFile(positionals);
  let ctx;
  try {
    ctx = await openContext({ ...common(values), file });
  } catch (e) {
    // A fresh clone: say what `flow run` would do first, write nothing.
    if (e instanceof FlowError && e.reason === "prepare-pending") {
      if (values.json) io.out(JSON.stringify({ prepare: e.message }) + "\n");
      else io.out(`${e.message}\n`);
      return 0;
    }
    throw e;
  }
  const { pipeline, ws } = ctx;
  try {
    const show = rest.length ? new Set(selectFromArgs(pipeline.nodes, rest).map((n) => n.id)) : undefined;
    const planner = new Planner(pipeline, ws);
    const rows = [];
    for await (const st of planner.assess(show && pipeline.dag.closureUp(show))) {
      const n = st.node;
      if (show && !show.has(n.id)) continue;
      rows.push({ id: n.id, task: n.task, params: { ...n.params, ...n.vars }, vars: n.vars, state: st.state, reasons: st.reasons });
    }
    if (values.json) {
      io.out(JSON.stringify(rows.map(({ vars: _v, ...r }) => r)) + "\n");
    } else {
      const counts = new Map<string, number>();
      for (const r of rows) {
        counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
        if (r.state === "up-to-date" && !values.verbose) continue;
        io.out(`${r.state.padEnd(11)} ${r.id}${r.reasons.length ? `\n${r.reasons.map((x) => `              ${x}`).join("\n")}` : ""}\n`);
      }
      io.out([...counts].map(([s, c]) => `${c} ${s}`).join(", ") + "\n");
    }
    return 0;
  } finally {
    await ws.close();
  }
}

export const status: CommandSpec = {
  name: "status",
  summary: "every node's state, and why it is stale",
  description:
    "Every node's state — up-to-date, restorable (outputs missing but in the cache), stale,\nnever-run — and, for the others, why. Reads no input file whose size and mtime are\nunchanged. On a fresh clone, says what `flow run` would prepare first.\n\nSelectors: key=value (stimulus=dot_motion, task=bin; several narrow together), or\ntargets: a node id (\'bin[session=1,stimulus=flashes]\'), an output path or a folder\nof outputs (data/02_stimulus_types/flashes.h5; several add up).",
  args: "[file] [selector…]",
  options: [],
  run: statusCommand,
};
