// `flow dag`: the graph as DOT, Mermaid or JSON — of nodes, or with --tasks of tasks. It
// describes the graph without preparing anything: before `prepare:` has made the inputs,
// one placeholder member ("*") stands for each set it cannot read yet.
import { splitFile, commonInput, str, flag, type CommandSpec, type Values } from "../options.js";
import { openSession, type Io } from "../io.js";
import { FlowError } from "../../errors.js";
import { taskGraph } from "../../graph/task-graph.js";
import { describeStep } from "../../session/prepare.js";

async function dagCommand(positionals: string[], values: Values, io: Io): Promise<number> {
  const fmt = str(values, "format") ?? (flag(values, "json") ? "json" : "dot");
  if (fmt !== "dot" && fmt !== "mermaid" && fmt !== "json") throw new FlowError("usage", `--format ${fmt}: expected dot, mermaid or json`);
  const { file } = splitFile(positionals);
  const session = await openSession(commonInput(values, file), io, "describe");
  try {
    const p = session.graph;
    let names: string[];
    let edges: [string, string][];
    if (values.tasks) {
      const g = taskGraph(Object.keys(p.def.tasks), p.deps);
      names = g.nodes();
      edges = g.edges().map((e) => [g.source(e), g.target(e)]);
    } else {
      names = p.nodes.map((n) => n.id);
      edges = [...p.deps].flatMap(([id, ds]) => ds.map((d): [string, string] => [d, id]));
    }
    for (const s of session.pending)
      io.err(`flow dag: not prepared yet (flow run first ${describeStep(s)}); * stands for the members of ${p.placeholders.join(", ")}\n`);
    const ids = new Map(names.map((n, i) => [n, `n${i}`]));
    if (fmt === "json") io.out(JSON.stringify({ nodes: names, edges }) + "\n");
    else if (fmt === "dot") {
      io.out("digraph flow {\n  rankdir=LR;\n  node [shape=box];\n");
      for (const n of names) io.out(`  ${ids.get(n)} [label=${JSON.stringify(n)}];\n`);
      for (const [a, b] of edges) io.out(`  ${ids.get(a)} -> ${ids.get(b)};\n`);
      io.out("}\n");
    } else {
      io.out("flowchart LR\n");
      for (const n of names) io.out(`  ${ids.get(n)}["${n.replace(/"/g, "#quot;")}"]\n`);
      for (const [a, b] of edges) io.out(`  ${ids.get(a)} --> ${ids.get(b)}\n`);
    }
    return 0;
  } finally {
    await session.close();
  }
}

export const dag: CommandSpec = {
  name: "dag",
  summary: "the graph as DOT, Mermaid or JSON",
  description:
    "The graph of nodes (or, with --tasks, of tasks) as Graphviz DOT, Mermaid, or JSON ({ nodes, edges }). Before `prepare:` has made the inputs, * stands for the members of each set that cannot be read yet.",
  args: "[file]",
  options: [
    { flags: "--format <dot|mermaid|json>", description: "output format (default dot; --json: json)" },
    { flags: "--tasks", description: "one box per task instead of per node" },
  ],
  run: dagCommand,
};
