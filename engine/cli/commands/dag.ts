import { splitFile, str, list, flag, type CommandSpec, type Values } from "../args.js";
import { FlowError } from "../../errors.js";
import { loadPipeline } from "../../pipeline/load.js";
import { parseSets } from "../../pipeline/params.js";
import type { Io } from "../context.js";

async function dagCommand(positionals: string[], values: Values, io: Io): Promise<number> {
  const fmt = str(values, "format") ?? (flag(values, "json") ? "json" : "dot");
  if (fmt !== "dot" && fmt !== "mermaid" && fmt !== "json") throw new FlowError("usage", `--format ${fmt}: expected dot, mermaid or json`);
  const { file } = splitFile(positionals);
  const p = await loadPipeline(file, { sets: parseSets(list(values, "set")) });
  const edges = new Set<string>();
  const names = values.tasks ? [...new Set(p.nodes.map((n) => n.task))] : p.nodes.map((n) => n.id);
  const taskOf = new Map(p.nodes.map((n) => [n.id, n.task]));
  const label = (id: string) => (values.tasks ? taskOf.get(id)! : id);
  for (const [id, ds] of p.deps)
    for (const d of ds) {
      const a = label(d),
        b = label(id);
      if (a !== b) edges.add(`${a}\u0000${b}`);
    }
  const ids = new Map(names.map((n, i) => [n, `n${i}`]));
  if (fmt === "json") {
    io.out(JSON.stringify({ nodes: names, edges: [...edges].map((e) => e.split("\u0000")) }) + "\n");
  } else if (fmt === "dot") {
    io.out("digraph flow {\n  rankdir=LR;\n  node [shape=box];\n");
    for (const n of names) io.out(`  ${ids.get(n)} [label=${JSON.stringify(n)}];\n`);
    for (const e of edges) {
      const [a, b] = e.split("\u0000");
      io.out(`  ${ids.get(a!)} -> ${ids.get(b!)};\n`);
    }
    io.out("}\n");
  } else {
    io.out("flowchart LR\n");
    for (const n of names) io.out(`  ${ids.get(n)}["${n.replace(/"/g, "#quot;")}"]\n`);
    for (const e of edges) {
      const [a, b] = e.split("\u0000");
      io.out(`  ${ids.get(a!)} --> ${ids.get(b!)}\n`);
    }
  }
  return 0;
}

export const dag: CommandSpec = {
  name: "dag",
  summary: "the graph as DOT, Mermaid or JSON",
  description: "The graph of nodes (or, with --tasks, of tasks) as Graphviz DOT, Mermaid, or JSON ({ nodes, edges }).",
  args: "[file]",
  options: [
    { flags: "--format <dot|mermaid|json>", description: "output format (default dot; --json: json)" },
    { flags: "--tasks", description: "one box per task instead of per node" },
  ],
  run: dagCommand,
};
