// Runs the stale part of the graph in dependency order, `jobs` at a time: each node is
// found up to date, restored from the cache, or executed; results are stored by content
// hash, materialised, and recorded. A failure fails that node and what depends on it.
import { relative, resolve } from "node:path";
import { inputPaths, type Pipeline, type PlanNode } from "../pipeline/types.js";
import { Planner } from "../plan/plan.js";
import type { Workspace } from "../workspace.js";
import { LOCALITY_MAX_INPUTS, type Executor, type Usage } from "../exec/types.js";
import type { Logger, Summary } from "../report/events.js";
import type { OutputHashes } from "../store/index.js";
import { restoreOutputs, sweepLeftovers } from "../store/materialise.js";
import { executeIntoCache, jobFor } from "./execute-node.js";
import type { Dag } from "../graph/dag.js";

export interface RunOptions {
  jobs: number;
  keepGoing: boolean;
  /** restrict to these nodes (and what they need) */
  selection?: Set<string>;
  /** the run id, recorded with what each node did */
  run?: string;
}

export async function runPipeline(
  pipeline: Pipeline & { dag: Dag },
  ws: Workspace,
  executor: Executor,
  logger: Logger,
  opts: RunOptions,
): Promise<Summary> {
  const t0 = Date.now();
  const planner = new Planner(pipeline, ws);
  const wanted = opts.selection ? pipeline.dag.closureUp(opts.selection) : undefined;
  const nodes = pipeline.nodes.filter((n) => !wanted || wanted.has(n.id));
  const summary: Summary = { ran: [], restored: [], upToDate: [], failed: [], skipped: [], wallMs: 0 };
  sweepLeftovers(ws, pipeline.nodes);
  ws.index.onRefused = (message) => logger.emit({ type: "warn", message });
  // Start workers now for the TypeScript nodes that surely run (never recorded here, or
  // invalidated): their start-up (Node + h5wasm, ~0.4 s) overlaps planning and hashing.
  // A no-op run starts none, and never more than there are such nodes; a node found
  // stale later gets its worker on demand.
  const surely = nodes.filter((n) => "module" in n.run && planner.surelyRuns(n));
  const modules = [...new Set(surely.map((n) => resolve(pipeline.root, (n.run as { module: string }).module)))];
  if (modules.length) executor.warm?.(Math.min(opts.jobs, surely.length), modules);
  logger.emit({ type: "plan", total: nodes.length });

  const byId = new Map(nodes.map((n) => [n.id, n]));
  const waiting = new Map(nodes.map((n) => [n.id, pipeline.deps.get(n.id)!.filter((d) => byId.has(d)).length]));
  const ready: PlanNode[] = [];
  const locality = new Locality();
  const enqueue = (n: PlanNode) => {
    ready.push(n);
    locality.add(n);
  };
  for (const n of nodes) if (waiting.get(n.id) === 0) enqueue(n);
  let next = 0; // ready[next…] are yet to start, except those in `started`
  const started = new Set<PlanNode>();
  const bad = new Set<string>(); // failed or skipped
  let stopping = false;
  let running = 0;

  const finish = (n: PlanNode) => {
    for (const d of pipeline.dag.downstreamOf(n.id)) {
      if (!byId.has(d)) continue;
      const w = waiting.get(d)! - 1;
      waiting.set(d, w);
      if (w === 0) enqueue(byId.get(d)!);
    }
  };
  /** The next node to start: the oldest ready one, unless locality prefers another. */
  const pick = (after?: PlanNode): PlanNode | undefined => {
    while (next < ready.length && started.has(ready[next]!)) next++;
    if (next === ready.length) return undefined;
    return locality.pick(after, ready, next, started) ?? ready[next];
  };

  const processNode = async (n: PlanNode) => {
    const start = Date.now();
    const failedDeps = pipeline.deps.get(n.id)!.filter((d) => bad.has(d));
    if (failedDeps.length || stopping) {
      bad.add(n.id);
      const why = failedDeps.length ? `upstream ${failedDeps[0]} failed` : "run stopped after a failure";
      summary.skipped.push(n.id);
      logger.emit({ type: "node-done", id: n.id, outcome: "skipped", ms: 0, error: why });
      return;
    }
    // large input files are hashed without blocking the head (see StatCache.warm)
    const warming = locality.inputsOf(n).map((p) => ws.stat.warm(p));
    if (warming.some(Boolean)) await Promise.all(warming);
    const st = await planner.status(n);
    if (st.state === "up-to-date") {
      summary.upToDate.push(n.id);
      logger.emit({ type: "node-done", id: n.id, outcome: "up-to-date", ms: 0 });
      return;
    }
    if (!st.key) {
      // Only an external input can block here (upstreams are done): a missing file.
      bad.add(n.id);
      const error = st.reasons.join("; ");
      summary.failed.push({ id: n.id, error });
      logger.emit({ type: "node-done", id: n.id, outcome: "failed", ms: 0, error });
      return;
    }
    if (st.state === "restorable" && st.entry) {
      logger.emit({ type: "node-start", id: n.id, action: "restore", reasons: st.reasons });
      const r = restoreOutputs(ws, n, st.entry.outputs);
      if (r.ok) {
        planner.settle(n, { key: st.key, code: st.code, inputs: st.inputs! }, st.entry.outputs);
        summary.restored.push(n.id);
        logger.emit({
          type: "node-done",
          id: n.id,
          outcome: "restored",
          ms: Date.now() - start,
          startedAt: start,
          key: st.key,
          usage: { lane: "head" },
        });
        return;
      }
      logger.emit({
        type: "warn",
        message: `${n.id}: cache object corrupt (hash mismatch): ${r.corrupt.map((p) => relative(pipeline.root, p)).join(", ")}; discarded, recomputing`,
      });
      await ws.index.delete(st.key);
    }
    // Execute: here into the cache, or (a remote executor) as a job that stores its own
    // results, which are then restored from the cache.
    logger.emit({ type: "node-start", id: n.id, action: "run", reasons: st.reasons });
    const log = (line: string) => logger.emit({ type: "node-log", id: n.id, line });
    let error: string | undefined;
    let detail: string | undefined;
    let hashes: OutputHashes | undefined;
    let usage: Usage | undefined;
    if (executor.storesOwnResults) {
      const res = await executor.execute({ ...jobFor(pipeline, n, st.key, {}), runId: opts.run }, log);
      usage = res.usage;
      if (!res.ok) {
        error = res.message;
        detail = res.detail;
      } else {
        const entry = await ws.index.get(st.key, n.id);
        if (!entry) error = "the job finished but its results are not in the cache";
        else hashes = entry.outputs;
      }
    } else {
      const r = await executeIntoCache(pipeline, ws, n, st, executor, log, opts.run);
      usage = r.usage;
      if (r.ok) hashes = r.hashes;
      else {
        error = r.error;
        detail = r.detail;
      }
    }
    if (hashes) {
      const r = restoreOutputs(ws, n, hashes);
      if (!r.ok) error = `could not materialise outputs: ${r.corrupt.join(", ")}`;
    }
    if (error) {
      bad.add(n.id);
      summary.failed.push({ id: n.id, error });
      logger.emit({ type: "node-done", id: n.id, outcome: "failed", ms: Date.now() - start, error, detail, startedAt: start, key: st.key, usage });
      if (!opts.keepGoing) stopping = true;
      return;
    }
    planner.settle(n, { key: st.key, code: st.code, inputs: st.inputs! }, hashes!);
    summary.ran.push(n.id);
    logger.emit({ type: "node-done", id: n.id, outcome: "ran", ms: Date.now() - start, startedAt: start, key: st.key, usage });
  };

  await new Promise<void>((resolveAll) => {
    // `after`: the node whose slot is free (its worker is the one the pool hands out next)
    const pump = (after?: PlanNode) => {
      for (let n = running < opts.jobs ? pick(after) : undefined; n; n = running < opts.jobs ? pick() : undefined) {
        const node = n;
        started.add(node); // an index and a set, not shift()/splice(): 10⁵ ready nodes stay linear
        locality.start(node);
        running++;
        processNode(node)
          .catch((e) => {
            bad.add(node.id);
            summary.failed.push({ id: node.id, error: (e as Error).message });
            logger.emit({ type: "node-done", id: node.id, outcome: "failed", ms: 0, error: (e as Error).message, detail: (e as Error).stack });
            if (!opts.keepGoing) stopping = true;
          })
          .finally(() => {
            running--;
            locality.end(node);
            finish(node);
            pump(node);
          });
        after = undefined;
      }
      // the nodes next in line get their large inputs hashed while these run
      for (let i = next, k = 0; i < ready.length && k < opts.jobs; i++) {
        if (started.has(ready[i]!)) continue;
        k++;
        for (const p of locality.inputsOf(ready[i]!)) void ws.stat.warm(p);
      }
      if (running === 0 && pick() === undefined) resolveAll();
    };
    pump();
  });
  planner.finish();
  ws.state.compact();
  ws.stat.save();
  summary.wallMs = Date.now() - t0;
  return summary;
}

/**
 * Data locality for the worker pool. A worker keeps what its last task read (a task may
 * memoise a large input: the Allen bin step keeps a session's spike times), and the pool
 * hands a freed slot's worker to the next job. So a freed slot prefers a ready node that
 * reads a file the node it just ran read, and a slot with no such node prefers one that
 * reads no file a running node reads: two workers each reading the same 1 GB input is
 * the waste this avoids. Only nodes with a few inputs take part (LOCALITY_MAX_INPUTS),
 * and the scan for a fresh node is bounded, so 10⁵ ready nodes stay linear. The order changes what runs when, never what a node computes.
 */
class Locality {
  private static readonly SCAN = 64;
  private readonly paths = new Map<PlanNode, string[]>();
  /** input path → ready nodes that read it (started ones are dropped lazily) */
  private readonly readers = new Map<string, PlanNode[]>();
  /** input path → how many running nodes read it */
  private readonly running = new Map<string, number>();

  add(n: PlanNode) {
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
  inputsOf(n: PlanNode): string[] {
    return this.paths.get(n) ?? [];
  }
  start(n: PlanNode) {
    for (const p of this.paths.get(n) ?? []) this.running.set(p, (this.running.get(p) ?? 0) + 1);
  }
  end(n: PlanNode) {
    for (const p of this.paths.get(n) ?? []) {
      const c = this.running.get(p)! - 1;
      if (c === 0) this.running.delete(p);
      else this.running.set(p, c);
    }
  }
  pick(after: PlanNode | undefined, ready: PlanNode[], from: number, started: Set<PlanNode>): PlanNode | undefined {
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
