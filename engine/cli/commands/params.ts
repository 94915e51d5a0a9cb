// `flow params`: every param's effective value and where it came from — its default in
// the pipeline file, the params file (params.yaml, or --params FILE), or --set.
import { relative } from "node:path";
import { splitFile, commonInput, type CommandSpec, type Values } from "../options.js";
import { type Io } from "../io.js";
import { readConfig } from "../../session/config.js";
import { readPipeline } from "../../pipeline/load.js";
import { redactValue } from "../../host/redact.js";
import { canonical } from "../../hash/canonical.js";

async function paramsCommand(positionals: string[], values: Values, io: Io): Promise<number> {
  const { file } = splitFile(positionals);
  const input = commonInput(values, file);
  const config = readConfig(input);
  const p = readPipeline(config.file, { sets: config.sets, paramsFile: config.paramsFile });
  const rows = Object.keys(p.paramDefs).map((name) => {
    const o = p.origins[name]!;
    return {
      name,
      value: redactValue(p.params[name]!),
      from: o === "default" ? "default" : o === "--set" ? "--set" : o.file,
      description: p.paramDefs[name]!.description,
    };
  });
  if (input.json) {
    io.out(JSON.stringify({ paramsFile: p.paramsFile ? relative(process.cwd(), p.paramsFile) || p.paramsFile : null, params: rows }) + "\n");
    return 0;
  }
  const w = Math.max(...rows.map((r) => r.name.length), 4);
  for (const r of rows) {
    const v = typeof r.value === "string" ? r.value : canonical(r.value).replace(/,/g, ", ");
    io.out(`${r.name.padEnd(w)}  ${v.length > 70 ? `${v.slice(0, 67)}…` : v}  (${r.from})\n`);
  }
  if (!p.paramsFile)
    io.out(`(no params file: write values to ${relative(process.cwd(), `${p.root}/params.yaml`) || "params.yaml"} and every command reads them)\n`);
  return 0;
}

export const params: CommandSpec = {
  name: "params",
  summary: "every param's value, and where it comes from",
  description:
    "Every param's effective value and where it comes from: its default in the pipeline file, the params file (params.yaml beside the pipeline file, or --params FILE; every command reads it), or --set.",
  args: "[file]",
  options: [],
  run: paramsCommand,
};
