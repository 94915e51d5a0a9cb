// Runs the stale part of the graph in dependency order, `jobs` at a time: each node is
// found up to date, restored from the cache, or executed; results are stored by content
// hash, materialised, and recorded. A failure fails that node and what depends on it.
import { relative, resolve } from "node:path";
import type { Pipeline, PlanNode } from "../pipeline/types.js";
import { Planner } from "../plan/plan.js";
import type { Workspace } from "../workspace.js";
import type { Executor, Usage } from "../exec/types.js";
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
  const ready: PlanNode[] = nodes.filter((n) => waiting.get(n.id) === 0);
  let next = 0; // ready[next…] are yet to start
  const bad = new Set<string>(); // failed or skipped
  let stopping = false;
  let running = 0;

  const finish = (n: PlanNode) => {
    for (const d of pipeline.dag.downstreamOf(n.id)) {
      if (!byId.has(d)) continue;
      const w = waiting.get(d)! - 1;
      waiting.set(d, w);
      if (w === 0) ready.push(byId.get(d)!);
    }
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
    const pump = () => {
      while (running < opts.jobs && next < ready.length) {
        const n = ready[next++]!; // an index, not shift(): 10⁵ ready nodes stay linear
        running++;
        processNode(n)
          .catch((e) => {
            bad.add(n.id);
            summary.failed.push({ id: n.id, error: (e as Error).message });
            logger.emit({ type: "node-done", id: n.id, outcome: "failed", ms: 0, error: (e as Error).message, detail: (e as Error).stack });
            if (!opts.keepGoing) stopping = true;
          })
          .finally(() => {
            running--;
            finish(n);
            pump();
          });
      }
      if (running === 0 && next === ready.length) resolveAll();
    };
    pump();
  });
  planner.finish();
  ws.state.compact();
  ws.stat.save();
  summary.wallMs = Date.now() - t0;
  return summary;
}
