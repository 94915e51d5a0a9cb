// Running a node in a cluster job: the job runs it as run-here.ts would and stores the
// results in the shared cache; the head records the provenance the job reports (appends
// from other hosts are not safe on NFS), finds the results in the cache, and restores
// them into the workspace.
import type { GraphNode } from "../model/graph-node.js";
import type { NodeOutcome } from "../model/outcome.js";
import type { Assessment } from "../plan/planner.js";
import type { LifecycleContext } from "./context.js";
import { executionOf } from "./execution.js";
import { failed, retryable, succeeded, type Started } from "./result.js";
import { settle } from "./settle.js";
import { inputPathsOf } from "../model/graph-node.js";

export async function runOnCluster(n: GraphNode, a: Assessment, ctx: LifecycleContext, s: Started): Promise<NodeOutcome> {
  const tries = 1 + (n.resources?.retries ?? 0);
  for (let attempt = 1; ; attempt++) {
    ctx.logger.emit({ type: "node-start", id: n.id, action: "run", reasons: a.reasons, attempt });
    const o = await attemptOnCluster(n, a, ctx, { ...s, startedAt: attempt === 1 ? s.startedAt : Date.now() });
    if (o.ok || attempt >= tries || !retryable(o)) return { ...o, attempts: attempt };
    ctx.logger.emit({ type: "node-retry", outcome: { ...o, attempts: attempt }, left: tries - attempt });
  }
}

async function attemptOnCluster(n: GraphNode, a: Assessment, ctx: LifecycleContext, s: Started): Promise<NodeOutcome> {
  const x = executionOf(ctx.root, n, a, inputPathsOf(n), {}, ctx);
  const res = await ctx.executor.execute(x, (line) => ctx.logger.emit({ type: "node-log", id: n.id, line }));
  if (res.provenance) ctx.provenance.append(res.provenance);
  if (!res.ok) return failed(s, res.reason, res.message, { detail: res.detail, usage: res.usage });
  const entry = await ctx.cache.lookup(a.key!, n.id, { fresh: true }); // the job wrote it just now
  if (!entry) return failed(s, "job-lost", "the job finished but its results are not in the cache", { usage: res.usage });
  const put = await ctx.cache.restore(n, a.key!, entry);
  if (!put.ok) return failed(s, "restore-failed", `could not materialise outputs: ${put.corrupt.join(", ")}`, { usage: res.usage });
  settle(n, a, entry.outputs, ctx);
  return succeeded(s, "ran", entry.outputs, { usage: res.usage });
}
