// The node graph: edges run from a producer to each node that reads its outputs.
// Topological order and cycle detection come from graphology-dag; every walk here is
// iterative and linear, so a chain of 10⁵ nodes or a fan-in of 2·10⁵ needs no deep
// stack and no huge argument list.
import { DirectedGraph } from "graphology";
import { hasCycle, topologicalSort } from "graphology-dag";

export class Dag {
  readonly g = new DirectedGraph();

  constructor(ids: string[], deps: Map<string, string[]>) {
    for (const id of ids) this.g.addNode(id);
    for (const [id, ds] of deps) for (const d of ds) if (!this.g.hasEdge(d, id)) this.g.addDirectedEdge(d, id);
  }

  /** A cycle as a list of ids (first repeated at the end), or undefined. */
  findCycle(): string[] | undefined {
    if (!hasCycle(this.g)) return undefined;
    // The nodes Kahn's algorithm cannot order all lie on or behind a cycle, and each has
    // an unordered in-neighbour: walking those backwards must come round to a node seen.
    const indeg = new Map<string, number>();
    const queue: string[] = [];
    this.g.forEachNode((n) => {
      const d = this.g.inDegree(n);
      indeg.set(n, d);
      if (d === 0) queue.push(n);
    });
    for (let i = 0; i < queue.length; i++) {
      this.g.forEachOutNeighbor(queue[i]!, (m) => {
        const d = indeg.get(m)! - 1;
        indeg.set(m, d);
        if (d === 0) queue.push(m);
      });
    }
    const left = (n: string) => indeg.get(n)! > 0;
    let x = this.g.findNode((n) => left(n))!;
    const seen = new Map<string, number>();
    const path: string[] = [];
    while (!seen.has(x)) {
      seen.set(x, path.length);
      path.push(x);
      x = this.g.findInNeighbor(x, (m) => left(m))!;
    }
    const cycle = path.slice(seen.get(x)!).reverse(); // walked backwards: turn it round
    // start at the node that comes first in the file, so the message is stable
    const rank = new Map(this.g.nodes().map((n, i) => [n, i]));
    const first = cycle.reduce((best, n, i) => (rank.get(n)! < rank.get(cycle[best]!)! ? i : best), 0);
    const rotated = [...cycle.slice(first), ...cycle.slice(0, first)];
    return [...rotated, rotated[0]!];
  }

  /** Kahn's order (graphology-dag): roots in the given (file) order, then as they become ready. */
  topoOrder(): string[] {
    return topologicalSort(this.g);
  }

  upstream(id: string): string[] {
    return this.g.inNeighbors(id);
  }
  downstreamOf(id: string): string[] {
    return this.g.outNeighbors(id);
  }

  /** The ids and everything reachable from them (downstream closure). */
  closureDown(ids: Iterable<string>): Set<string> {
    return this.closure(ids, (n, f) => this.g.forEachOutNeighbor(n, f));
  }
  /** The ids and everything they need (upstream closure). */
  closureUp(ids: Iterable<string>): Set<string> {
    return this.closure(ids, (n, f) => this.g.forEachInNeighbor(n, f));
  }
  private closure(ids: Iterable<string>, each: (n: string, f: (m: string) => void) => void): Set<string> {
    const seen = new Set<string>();
    const todo = [...ids];
    const visit = (m: string) => {
      if (!seen.has(m)) todo.push(m);
    };
    while (todo.length) {
      const n = todo.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      each(n, visit);
    }
    return seen;
  }
}
