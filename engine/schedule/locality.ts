// Data locality for the worker pool. A worker keeps what its last task read (a task may
// memoise a large input: the Allen bin step keeps a session's spike times), and the pool
// hands a freed slot's worker to the next job. So a freed slot prefers a ready node that
// reads a file the node it just ran read, and a slot with no such node prefers one that
// reads no file a running node reads: two workers each reading the same 1 GB input is
// the waste this avoids. Only nodes with a few inputs take part (LOCALITY_MAX_INPUTS),
// and the scan for a fresh node is bounded, so 10⁵ ready nodes stay linear. The order
// changes what runs when, never what a node computes.
import { inputPaths, type GraphNode } from "../model/graph-node.js";
import { LOCALITY_MAX_INPUTS } from "../exec/executor.js";

export class Locality {
  private static readonly SCAN = 64;
  private readonly paths = new Map<GraphNode, string[]>();
  /** input path → ready nodes that read it (started ones are dropped lazily) */
  private readonly readers = new Map<string, GraphNode[]>();
  /** input path → how many running nodes read it */
  private readonly running = new Map<string, number>();

  add(n: GraphNode) {
    const ps = Object.values(n.inputs).flatMap(inputPaths);
    if (ps.length === 0 || ps.length > LOCALITY_MAX_INPUTS) return;
    this.paths.set(n, ps);
    for (const p of ps) {
      const list = this.readers.get(p);
      if (list) list.push(n);
      else this.readers.set(p, [n]);
    }
  }
  /** the node's input paths, if it has few enough to take part */
  inputsOf(n: GraphNode): string[] {
    return this.paths.get(n) ?? [];
  }
  start(n: GraphNode) {
    for (const p of this.paths.get(n) ?? []) this.running.set(p, (this.running.get(p) ?? 0) + 1);
  }
  end(n: GraphNode) {
    for (const p of this.paths.get(n) ?? []) {
      const c = this.running.get(p)! - 1;
      if (c === 0) this.running.delete(p);
      else this.running.set(p, c);
    }
  }
  pick(after: GraphNode | undefined, ready: GraphNode[], from: number, started: Set<GraphNode>): GraphNode | undefined {
    for (const p of (after && this.paths.get(after)) ?? []) {
      const list = this.readers.get(p);
      while (list?.length) {
        const c = list[list.length - 1]!;
        if (!started.has(c)) return c;
        list.pop();
      }
      this.readers.delete(p);
    }
    if (this.running.size === 0) return undefined;
    for (let i = from, end = Math.min(ready.length, from + Locality.SCAN); i < end; i++) {
      const c = ready[i]!;
      if (started.has(c)) continue;
      const ps = this.paths.get(c);
      if (!ps || !ps.some((p) => this.running.has(p))) return c;
    }
    return undefined;
  }
}
