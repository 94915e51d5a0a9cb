// `flow report [-o FILE]`: the run history, states and timing as one HTML page, with a
// section the pipeline contributes through `report: { module }` in pipeline.yaml.
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { splitFile, commonInput, str, type CommandSpec, type Values } from "../options.js";
import { openSession, type Io } from "../io.js";
import { reportData } from "../../report/data.js";
import { reportHtml } from "../../report/html.js";

async function reportCommand(positionals: string[], values: Values, io: Io): Promise<number> {
  const { file } = splitFile(positionals);
  const session = await openSession(commonInput(values, file), io, "describe");
  try {
    const out = resolve(str(values, "output") ?? "flow-report.html");
    writeFileSync(out, reportHtml(await reportData(session)));
    io.out(`${out}\n`);
    return 0;
  } finally {
    await session.close();
  }
}

export const report: CommandSpec = {
  name: "report",
  summary: "one HTML page: failures, task graph, timeline, spread per task, nodes, params",
  description:
    "Writes one self-contained HTML page (no network; opens from disk): a summary of the last run and links to each part; the nodes that failed in it, first, with their error and the last lines they printed; the task graph coloured by state (click a task for its nodes); a timeline with a time axis, one lane per worker or cluster job and bars coloured by task (after a run that only restored: the run that last executed the nodes, said so); per task the spread of duration, CPU time and peak memory over its nodes; a table of nodes to filter and sort (state, why stale, last execution); the params and what changed since the run before; and the pipeline's own section.",
  args: "[file]",
  options: [{ flags: "-o, --output <file.html>", description: "where to write it (default flow-report.html)", noDash: true }],
  run: reportCommand,
};
