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

class ReadyQueue {
  private readonly byId: Map<string, GraphNode>;
  private readonly waiting: Map<string, number>;
  private readonly ready: GraphNode[] = [];
  private readonly locality = new Locality();
  /** ready[next…] are yet to start, except those in `started`: an index and a set, not shift()/splice(), so 10⁵ ready nodes stay linear */
  private next = 0;
  private readonly started = new Set<GraphNode>();
  private readonly bad = new Set<string>(); // failed or skipped
  private stopping = false;
  private running = 0;

  constructor(
    nodes: GraphNode[],
    private readonly deps: Map<string, string[]>,
    private readonly dag: Dag,
    private readonly opts: ScheduleOptions,
    private readonly hooks: ScheduleHooks,
    private readonly done: () => void,
  ) {
    this.byId = new Map(nodes.map((n) => [n.id, n]));
    this.waiting = new Map(nodes.map((n) => [n.id, deps.get(n.id)!.filter((d) => this.byId.has(d)).length]));
    for (const n of nodes) if (this.waiting.get(n.id) === 0) this.enqueue(n);
  }

  private enqueue(n: GraphNode) {
    this.ready.push(n);
    this.locality.add(n);
  }

  /** A node finished: its dependents may be ready. */
  private finish(n: GraphNode) {
    for (const d of this.dag.downstreamOf(n.id)) {
      if (!this.byId.has(d)) continue;
      const w = this.waiting.get(d)! - 1;
      this.waiting.set(d, w);
      if (w === 0) this.enqueue(this.byId.get(d)!);
    }
  }

  /** The next node to start: the oldest ready one, unless locality prefers another. */
  private pick(after?: GraphNode): GraphNode | undefined {
    while (this.next < this.ready.length && this.started.has(this.ready[this.next]!)) this.next++;
    if (this.next === this.ready.length) return undefined;
    return this.locality.pick(after, this.ready, this.next, this.started) ?? this.ready[this.next];
  }

  private async one(n: GraphNode) {
    const failedDep = this.deps.get(n.id)!.find((d) => this.bad.has(d));
    if (failedDep || this.stopping || this.opts.signal?.aborted) {
      this.bad.add(n.id);
      if (!this.opts.signal?.aborted) this.hooks.skip(n, failedDep);
      return;
    }
    if (!(await this.hooks.run(n))) {
      this.bad.add(n.id);
      if (!this.opts.keepGoing) this.stopping = true;
    }
  }

  /** Starts what may start. `after`: the node whose slot is free (its worker is the one the pool hands out next). */
  pump(after?: GraphNode) {
    for (let n = this.running < this.opts.jobs ? this.pick(after) : undefined; n; n = this.running < this.opts.jobs ? this.pick() : undefined) {
      const node = n;
      this.started.add(node);
      this.locality.start(node);
      this.running++;
      void this.one(node).finally(() => {
        this.running--;
        this.locality.end(node);
        this.finish(node);
        this.pump(node);
      });
      after = undefined;
    }
    // the nodes next in line get their large inputs hashed while these run
    for (let i = this.next, k = 0; this.hooks.prefetch && i < this.ready.length && k < this.opts.jobs; i++) {
      if (this.started.has(this.ready[i]!)) continue;
      k++;
      this.hooks.prefetch(this.locality.inputsOf(this.ready[i]!));
    }
    if (this.running === 0 && this.pick() === undefined) this.done();
  }
}

/** Runs `nodes` (in graph order; `deps` may name nodes outside them, which count as done). */
export function schedule(nodes: GraphNode[], deps: Map<string, string[]>, dag: Dag, opts: ScheduleOptions, hooks: ScheduleHooks): Promise<void> {
  return new Promise<void>((done) => new ReadyQueue(nodes, deps, dag, opts, hooks, done).pump());
}
