import { parse, splitFile, commonHelp } from "../args.js";
import { openContext, type Io } from "../context.js";
import { parseSelectors, checkSelectorKeys } from "../../plan/select.js";

export const help = `flow log [file] [selector…] [--json]

Provenance records of executed nodes: node, key, code version, params, inputs and
outputs with their hashes, start and end, host, status, flow version.
${commonHelp}`;

export async function logCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {});
  if (values.help) return io.out(help + "\n"), 0;
  const { file, rest } = splitFile(positionals);
  const { pipeline, ws } = await openContext({ ...values, file });
  try {
    const sels = parseSelectors(rest);
    checkSelectorKeys(pipeline.nodes, sels);
    const recs = ws.records.all().filter((r) => sels.every((s) => (s.key === "task" ? r.task === s.value : r.vars[s.key] === s.value)));
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
