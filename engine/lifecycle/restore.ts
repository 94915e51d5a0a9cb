// Restoring a node from the cache (verified: cache/cache.ts). A corrupt object is not an
// end: it is discarded, said once, and the node is run instead (undefined).
import { relative } from "node:path";
import type { GraphNode } from "../model/graph-node.js";
import type { NodeOutcome } from "../model/outcome.js";
import type { Assessment } from "../plan/planner.js";
import type { LifecycleContext } from "./context.js";
import { failed, succeeded, type Started } from "./result.js";
import { settle } from "./settle.js";

export async function restore(n: GraphNode, a: Assessment, ctx: LifecycleContext, s: Started): Promise<NodeOutcome | undefined> {
  ctx.logger.emit({ type: "node-start", id: n.id, action: "restore", reasons: a.reasons });
  let r;
  try {
    r = await ctx.cache.restore(n, a.key!, a.entry!);
  } catch (e) {
    return failed(s, "restore-failed", (e as Error).message, { usage: { lane: "head" } });
  }
  if (!r.ok) {
    ctx.logger.emit({
      type: "warn",
      message: `${n.id}: cache object corrupt (hash mismatch): ${r.corrupt.map((p) => relative(ctx.root, p)).join(", ")}; discarded, recomputing`,
    });
    return undefined;
  }
  settle(n, a, a.entry!.outputs, ctx);
  return succeeded(s, "restored", a.entry!.outputs, { usage: { lane: "head" } });
}
