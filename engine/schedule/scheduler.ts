// The ready queue: nodes start when everything they need has finished, `jobs` at a time,
// in graph order unless locality prefers another ready node. What happens to a node is
// the caller's (the node lifecycle); the scheduler only learns whether it succeeded. A
// failure skips what depends on it, and — without keep-going — stops handing out work.
import type { GraphNode } from "../model/graph-node.js";
import type { Dag } from "../graph/dag.js";
import { Locality } from "./locality.js";

export interface ScheduleOptions {
  jobs: number;
  keepGoing: boolean;
  /** once aborted, no node is started */
  signal?: AbortSignal;
}

export interface ScheduleHooks {
  /** does everything for one node; resolves to whether it succeeded (never rejects) */
  run(n: GraphNode): Promise<boolean>;
  /** a node not run: an upstream failed (named), or the run stopped after a failure */
  skip(n: GraphNode, upstream: string | undefined): void;
  /** the nodes next in line, for work that helps them later (hashing their large inputs) */
  prefetch?(inputs: string[]): void;
}

/** Runs `nodes` (in graph order; `deps` may name nodes outside them, which count as done). */
export async function schedule(
  nodes: GraphNode[],
  deps: Map<string, string[]>,
  dag: Dag,
  opts: ScheduleOptions,
  hooks: ScheduleHooks,
): Promise<void> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const waiting = new Map(nodes.map((n) => [n.id, deps.get(n.id)!.filter((d) => byId.has(d)).length]));
  const ready: GraphNode[] = [];
  const locality = new Locality();
  const enqueue = (n: GraphNode) => {
    ready.push(n);
    locality.add(n);
  };
  for (const n of nodes) if (waiting.get(n.id) === 0) enqueue(n);
  let next = 0; // ready[next…] are yet to start, except those in `started`
  const started = new Set<GraphNode>(); // an index and a set, not shift()/splice(): 10⁵ ready nodes stay linear
  const bad = new Set<string>(); // failed or skipped
  let stopping = false;
  let running = 0;

  const finish = (n: GraphNode) => {
    for (const d of dag.downstreamOf(n.id)) {
      if (!byId.has(d)) continue;
      const w = waiting.get(d)! - 1;
      waiting.set(d, w);
      if (w === 0) enqueue(byId.get(d)!);
    }
  };
  const pick = (after?: GraphNode): GraphNode | undefined => {
    while (next < ready.length && started.has(ready[next]!)) next++;
    if (next === ready.length) return undefined;
    return locality.pick(after, ready, next, started) ?? ready[next];
  };
  const one = async (n: GraphNode) => {
    const failedDep = deps.get(n.id)!.find((d) => bad.has(d));
    if (failedDep || stopping || opts.signal?.aborted) {
      bad.add(n.id);
      if (!opts.signal?.aborted) hooks.skip(n, failedDep);
      return;
    }
    if (!(await hooks.run(n))) {
      bad.add(n.id);
      if (!opts.keepGoing) stopping = true;
    }
  };

  await new Promise<void>((resolveAll) => {
    // `after`: the node whose slot is free (its worker is the one the pool hands out next)
    const pump = (after?: GraphNode) => {
      for (let n = running < opts.jobs ? pick(after) : undefined; n; n = running < opts.jobs ? pick() : undefined) {
        const node = n;
        started.add(node);
        locality.start(node);
        running++;
        void one(node).finally(() => {
          running--;
          locality.end(node);
          finish(node);
          pump(node);
        });
        after = undefined;
      }
      // the nodes next in line get their large inputs hashed while these run
      for (let i = next, k = 0; hooks.prefetch && i < ready.length && k < opts.jobs; i++) {
        if (started.has(ready[i]!)) continue;
        k++;
        hooks.prefetch(locality.inputsOf(ready[i]!));
      }
      if (running === 0 && pick() === undefined) resolveAll();
    };
    pump();
  });
}
