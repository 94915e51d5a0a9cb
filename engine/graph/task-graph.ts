// The graph of tasks: one vertex per task, an edge where a node of one reads an output of
// a node of another — the one collapse of the node graph that `flow dag --tasks` and the
// report draw.
import { DirectedGraph } from "graphology";
import { taskOf } from "../model/graph-node.js";

export function taskGraph(tasks: string[], deps: Map<string, string[]>): DirectedGraph {
  const g = new DirectedGraph();
  for (const t of tasks) g.addNode(t);
  for (const [id, ds] of deps)
    for (const d of ds) {
      const a = taskOf(d),
        b = taskOf(id);
      if (a !== b && !g.hasEdge(a, b)) g.addDirectedEdge(a, b);
    }
  return g;
}
