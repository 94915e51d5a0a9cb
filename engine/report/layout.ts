// The report's task graph, laid out in the head by dagre (a layered, Sugiyama-style
// layout): tasks in ranks from top to bottom, crossings reduced, and each edge routed
// through points of its own between the ranks — long edges pass beside the boxes they
// skip, never behind them. Top to bottom keeps the graph narrow enough to fit a page;
// the page scales it to the width it has. The same graph gives the same layout.
import dagre from "@dagrejs/dagre";

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GraphLayout {
  width: number;
  height: number;
  boxes: Record<string, Box>;
  edges: { from: string; to: string; points: { x: number; y: number }[] }[];
}

const BOX = { width: 190, height: 44 };

/** Lays out tasks (in the given order) and their dependency edges (from → to). */
export function layoutTasks(tasks: string[], edges: [from: string, to: string][]): GraphLayout {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "TB", nodesep: 28, ranksep: 46, edgesep: 14, marginx: 12, marginy: 12, ranker: "network-simplex" });
  g.setDefaultEdgeLabel(() => ({}));
  for (const t of tasks) g.setNode(t, { width: BOX.width, height: BOX.height });
  for (const [a, b] of edges) g.setEdge(a, b);
  dagre.layout(g);
  const r = (v: number) => Math.round(v * 10) / 10;
  const boxes: Record<string, Box> = {};
  for (const t of tasks) {
    const n = g.node(t);
    boxes[t] = { x: r(n.x - n.width / 2), y: r(n.y - n.height / 2), width: n.width, height: n.height };
  }
  const graph = g.graph();
  // dagre ends an edge where it meets the box's outline, often its side: a straight line
  // from there can clip a neighbour of the same rank. Leaving from the bottom centre and
  // arriving at the top centre keeps the first and last legs in the gap between ranks.
  const route = (from: string, to: string) => {
    const pts: { x: number; y: number }[] = (g.edge(from, to).points ?? []).map((p: { x: number; y: number }) => ({ x: r(p.x), y: r(p.y) }));
    const a = boxes[from]!,
      b = boxes[to]!;
    const inner = pts.slice(1, -1);
    return [{ x: r(a.x + a.width / 2), y: r(a.y + a.height) }, ...inner, { x: r(b.x + b.width / 2), y: r(b.y) }];
  };
  return {
    width: Math.ceil(graph.width ?? 0),
    height: Math.ceil(graph.height ?? 0),
    boxes,
    edges: edges.map(([from, to]) => ({ from, to, points: route(from, to) })),
  };
}
