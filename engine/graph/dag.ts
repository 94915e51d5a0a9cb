// The node graph: edges run from a producer to each node that reads its outputs.
import { DirectedGraph } from "graphology";

export class Dag {
  readonly g = new DirectedGraph();

  constructor(ids: string[], deps: Map<string, string[]>) {
    for (const id of ids) this.g.addNode(id);
    for (const [id, ds] of deps) for (const d of ds) if (!this.g.hasEdge(d, id)) this.g.addDirectedEdge(d, id);
  }

  /** A cycle as a list of ids (first repeated at the end), or undefined. */
  findCycle(): string[] | undefined {
    const state = new Map<string, 1 | 2>();
    const stack: string[] = [];
    const visit = (n: string): string[] | undefined => {
      state.set(n, 1);
      stack.push(n);
      for (const m of this.g.outNeighbors(n)) {
        if (state.get(m) === 1) return [...stack.slice(stack.indexOf(m)), m];
        if (!state.has(m)) {
          const c = visit(m);
          if (c) return c;
        }
      }
      stack.pop();
      state.set(n, 2);
      return undefined;
    };
    for (const n of this.g.nodes()) if (!state.has(n)) {
      const c = visit(n);
      if (c) return c;
    }
    return undefined;
  }

  /** Kahn's order, ties broken by the given order of ids (the file's order). */
  topoOrder(order: string[]): string[] {
    const rank = new Map(order.map((id, i) => [id, i]));
    const indeg = new Map(order.map((id) => [id, this.g.inDegree(id)]));
    const ready = order.filter((id) => indeg.get(id) === 0);
    const out: string[] = [];
    while (ready.length) {
      ready.sort((a, b) => rank.get(a)! - rank.get(b)!);
      const n = ready.shift()!;
      out.push(n);
      for (const m of this.g.outNeighbors(n)) {
        const d = indeg.get(m)! - 1;
        indeg.set(m, d);
        if (d === 0) ready.push(m);
      }
    }
    return out;
  }

  upstream(id: string): string[] { return this.g.inNeighbors(id); }
  downstreamOf(id: string): string[] { return this.g.outNeighbors(id); }

  /** The ids and everything reachable from them (downstream closure). */
  closureDown(ids: Iterable<string>): Set<string> {
    return this.closure(ids, (n) => this.g.outNeighbors(n));
  }
  /** The ids and everything they need (upstream closure). */
  closureUp(ids: Iterable<string>): Set<string> {
    return this.closure(ids, (n) => this.g.inNeighbors(n));
  }
  private closure(ids: Iterable<string>, next: (n: string) => string[]): Set<string> {
    const seen = new Set<string>();
    const todo = [...ids];
    while (todo.length) {
      const n = todo.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      todo.push(...next(n));
    }
    return seen;
  }
}
