// Running a node's task in this process's pool: temp outputs → the task → its inputs
// checked again → the cache stores the outputs → the workspace gets them → settled. A
// cluster job (flow node-run) runs nodes through this same unit, with its own pool.
import { join, relative } from "node:path";
import { inputPaths, inputPathsOf, type GraphNode } from "../model/graph-node.js";
import type { NodeOutcome } from "../model/outcome.js";
import type { Assessment } from "../plan/planner.js";
import type { StatCache } from "../hash/stat-cache.js";
import { errorText } from "../host/errno.js";
import type { LifecycleContext } from "./context.js";
import { executionOf, provenanceOf } from "./execution.js";
import { failed, retryable, succeeded, type Started } from "./result.js";
import { settle } from "./settle.js";
import { tempOutputs, removeTemp } from "./temp-outputs.js";

/** Runs the node, again after a failure while it has `resources.retries` left; each attempt is recorded. */
export async function runHere(n: GraphNode, a: Assessment, ctx: LifecycleContext, s: Started): Promise<NodeOutcome> {
  const tries = 1 + (n.resources?.retries ?? 0);
  for (let attempt = 1; ; attempt++) {
    ctx.logger.emit({ type: "node-start", id: n.id, action: "run", reasons: a.reasons, attempt });
    const o = await attemptHere(n, a, ctx, { ...s, startedAt: attempt === 1 ? s.startedAt : Date.now() }, attempt);
    if (o.ok || attempt >= tries || !retryable(o)) return { ...o, attempts: attempt };
    ctx.logger.emit({ type: "node-retry", outcome: { ...o, attempts: attempt }, left: tries - attempt });
  }
}

async function attemptHere(n: GraphNode, a: Assessment, ctx: LifecycleContext, s: Started, attempt: number): Promise<NodeOutcome> {
  const start = new Date().toISOString();
  const tmp = tempOutputs(ctx.tmpDir, n, a.key!);
  let result: NodeOutcome;
  let output = "";
  try {
    const inputs = ctx.cache.taskInputs(inputPathsOf(n), join(tmp.dir, "in"));
    const x = executionOf(ctx.root, n, a, inputs, tmp.paths, ctx);
    const res = await ctx.executor.execute(x, (line) => ctx.logger.emit({ type: "node-log", id: n.id, line }));
    output = res.output;
    const changed = res.ok ? changedInputs(n, a, ctx.stat) : [];
    if (!res.ok) result = failed(s, res.reason, res.message, { detail: res.detail, usage: res.usage });
    else if (changed.length)
      // The result may come from other bytes than the key says: store nothing.
      result = failed(s, "input-changed", `input changed while the task ran: ${changed.map((p) => relative(ctx.root, p)).join(", ")}`, {
        usage: res.usage,
      });
    else {
      const stored = await ctx.cache.store(n, a.key!, tmp.paths);
      if (!stored.ok) result = failed(s, "store-failed", stored.message, { usage: res.usage });
      else if (!ctx.materialise) result = succeeded(s, "ran", stored.outputs, { usage: res.usage });
      else {
        const put = await ctx.cache.restore(n, a.key!, { outputs: stored.outputs, node: n.id, at: start });
        if (!put.ok) result = failed(s, "restore-failed", `could not materialise outputs: ${put.corrupt.join(", ")}`, { usage: res.usage });
        else {
          settle(n, a, stored.outputs, ctx);
          result = succeeded(s, "ran", stored.outputs, { usage: res.usage });
        }
      }
    }
  } catch (e) {
    // storing or restoring failed (a full disk, a read-only index): the node fails
    result = failed(s, "store-failed", errorText(e), { detail: (e as Error).stack });
  } finally {
    removeTemp(tmp);
  }
  const error = result.ok ? undefined : result.message;
  ctx.provenance.append(
    provenanceOf(ctx.root, n, a, { start, outputs: result.ok ? result.outputs : undefined, error, usage: result.usage, runId: ctx.runId, attempt }),
  );
  try {
    ctx.taskOutput(a.key!, error ? `${output}flow: ${error}\n` : output);
  } catch {
    /* the output is a convenience; a full disk already failed the node above */
  }
  return result;
}

/**
 * After a task ran, before anything is stored: the inputs it read must still be those its
 * key was computed from (Bazel's "file modified during build"). A stat that is unchanged
 * is trusted; a changed one is re-hashed. Returns the paths that changed.
 */
export function changedInputs(n: GraphNode, a: Assessment, stat: StatCache): string[] {
  const changed: string[] = [];
  for (const [name, i] of Object.entries(n.inputs)) {
    const want = a.inputs![name];
    inputPaths(i).forEach((p, k) => {
      const h = Array.isArray(want) ? want[k] : want;
      if (stat.hash(p) !== h) changed.push(p);
    });
  }
  return changed;
}
