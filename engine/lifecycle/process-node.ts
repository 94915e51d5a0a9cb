// What happens to one node, step by step: assess it (its key, and whether the workspace
// already holds its outputs), then restore it from the cache, or run it here or on the
// cluster. Every step returns the one result type; nothing here prints or records —
// lifecycle/outcome.ts turns outcomes into events, run records and exit codes.
import { inputPaths, type GraphNode } from "../model/graph-node.js";
import { LOCALITY_MAX_INPUTS } from "../exec/executor.js";
import type { NodeOutcome } from "../model/outcome.js";
import type { LifecycleContext } from "./context.js";
import { failed, succeeded } from "./result.js";
import { restore } from "./restore.js";
import { runHere } from "./run-here.js";
import { runOnCluster } from "./run-on-cluster.js";

export async function processNode(n: GraphNode, ctx: LifecycleContext): Promise<NodeOutcome> {
  const startedAt = Date.now();
  // large input files are hashed in threads, without stopping the head (stat-cache.ts)
  const paths = Object.values(n.inputs).flatMap(inputPaths);
  if (paths.length <= LOCALITY_MAX_INPUTS) {
    const warming = paths.map((p) => ctx.stat.warm(p)).filter(Boolean);
    if (warming.length) await Promise.all(warming);
  }
  const a = await ctx.planner.assess(n);
  const s = { id: n.id, startedAt, key: a.key, reasons: a.reasons };
  if (a.state === "up-to-date") return succeeded(s, "up-to-date", a.entry?.outputs ?? ctx.state.get(n.id)!.outputs);
  // Only an external input can block here (upstreams are done): a missing file.
  if (!a.key) return failed(s, "input-missing", a.reasons.join("; "));
  if (a.state === "restorable") {
    const r = await restore(n, a, ctx, s);
    if (r) return r;
  }
  return ctx.executor.where === "cluster" ? runOnCluster(n, a, ctx, s) : runHere(n, a, ctx, s);
}
