import { parse, splitFile, commonHelp } from "../args.js";
import { FlowError } from "../../errors.js";
import { loadPipeline } from "../../pipeline/load.js";
import { parseSets } from "../../pipeline/params.js";
import type { Io } from "../context.js";

export const help = `flow dag [file] [--format dot|mermaid] [--tasks]

The graph of nodes (or, with --tasks, of tasks) as Graphviz DOT or Mermaid.
${commonHelp}`;

export async function dagCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { format: { type: "string" }, tasks: { type: "boolean" } });
  if (values.help) return io.out(help + "\n"), 0;
  const fmt = values.format ?? "dot";
  if (fmt !== "dot" && fmt !== "mermaid") throw new FlowError("usage", `--format ${fmt}: expected dot or mermaid`);
  const { file } = splitFile(positionals);
  const p = await loadPipeline(file, { sets: parseSets(values.set ?? []) });
  const edges = new Set<string>();
  const names = values.tasks ? [...new Set(p.nodes.map((n) => n.task))] : p.nodes.map((n) => n.id);
  const taskOf = new Map(p.nodes.map((n) => [n.id, n.task]));
  const label = (id: string) => (values.tasks ? taskOf.get(id)! : id);
  for (const [id, ds] of p.deps) for (const d of ds) {
    const a = label(d), b = label(id);
    if (a !== b) edges.add(`${a}\u0000${b}`);
  }
  const ids = new Map(names.map((n, i) => [n, `n${i}`]));
  if (fmt === "dot") {
    io.out("digraph flow {\n  rankdir=LR;\n  node [shape=box];\n");
    for (const n of names) io.out(`  ${ids.get(n)} [label=${JSON.stringify(n)}];\n`);
    for (const e of edges) { const [a, b] = e.split("\u0000"); io.out(`  ${ids.get(a!)} -> ${ids.get(b!)};\n`); }
    io.out("}\n");
  } else {
    io.out("flowchart LR\n");
    for (const n of names) io.out(`  ${ids.get(n)}["${n.replace(/"/g, "#quot;")}"]\n`);
    for (const e of edges) { const [a, b] = e.split("\u0000"); io.out(`  ${ids.get(a!)} --> ${ids.get(b!)}\n`); }
  }
  return 0;
}
