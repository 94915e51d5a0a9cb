import { splitFile, common, type CommandSpec, type Values } from "../args.js";
import { openContext, type Io } from "../context.js";
import { parseArgsToSelection, checkSelectorKeys, selectFromArgs } from "../../plan/select.js";

async function logCommand(positionals: string[], values: Values, io: Io): Promise<number> {
  const { file, rest } = splitFile(positionals);
  const { pipeline, ws } = await openContext({ ...common(values), file });
  try {
    const { sels, targets } = parseArgsToSelection(rest);
    checkSelectorKeys(pipeline.nodes, sels);
    // targets (node ids, output paths) name nodes of the current graph
    const ids = targets.length ? new Set(selectFromArgs(pipeline.nodes, targets.map((t) => t.target)).map((n) => n.id)) : undefined;
    const recs = ws.records.all().filter((r) => (!ids || ids.has(r.node)) && sels.every((s) => (s.key === "task" ? r.task === s.value : r.vars[s.key] === s.value)));
    if (values.json) io.out(JSON.stringify(recs) + "\n");
    else for (const r of recs) {
      io.out(`${r.start}  ${r.status.padEnd(6)} ${r.node}  key ${r.key.slice(0, 12)}  code ${r.code.version.slice(0, 12)}  ${r.host}  flow ${r.flowVersion}\n`);
      if (values.verbose) {
        for (const i of r.inputs) io.out(`    in  ${i.name}: ${i.path} ${i.hash.slice(0, 12)}\n`);
        for (const o of r.outputs) io.out(`    out ${o.name}: ${o.path} ${o.hash.slice(0, 12)}\n`);
      }
      if (r.error) io.out(`    error: ${r.error}\n`);
    }
    return 0;
  } finally {
    await ws.close();
  }
}

export const log: CommandSpec = {
  name: "log",
  summary: "provenance of executed nodes",
  description: "Provenance records of executed nodes: node, key, code version, params, inputs and\noutputs with their hashes, start and end, host, status, flow version.\n\nSelectors: key=value (stimulus=dot_motion, task=bin; several narrow together), or\ntargets: a node id (\'bin[session=1,stimulus=flashes]\'), an output path or a folder\nof outputs (data/02_stimulus_types/flashes.h5; several add up).",
  args: "[file] [selector…]",
  options: [],
  run: logCommand,
};
