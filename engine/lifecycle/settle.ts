// A node now holds its outputs (restored, or just run and stored): the planner learns
// them (downstream keys can be computed), and the workspace records what made them —
// which also ends an invalidation, so a node that finished is up to date afterwards,
// whatever stops the run later.
import { relative } from "node:path";
import { inputPathsOf, type GraphNode, type OutputHashes } from "../model/graph-node.js";
import type { Assessment } from "../plan/planner.js";
import { recordedPaths, removeReplaced } from "../workspace/leftovers.js";
import type { LifecycleContext } from "./context.js";

export function settle(n: GraphNode, a: Assessment, outputs: OutputHashes, ctx: LifecycleContext): void {
  ctx.planner.learn(n.id, outputs);
  ctx.state.putCode(a.code.version, a.code.hashes, a.code.packages);
  const previous = ctx.state.get(n.id);
  ctx.state.put({
    id: n.id,
    key: a.key!,
    code: a.code.version,
    params: { ...n.params, ...n.vars },
    shape: Object.keys(n.shape).length ? n.shape : undefined,
    environment: Object.keys(a.environment).length ? a.environment : undefined,
    inputs: a.inputs!,
    inputPaths: inputPathsOf(n),
    outputs,
    outputPaths: recordedPaths(n),
    at: new Date().toISOString(),
  });
  // an output this node made under another path (a renamed output) is not left behind
  for (const p of removeReplaced(previous, n, ctx.claimed, ctx.stat))
    ctx.logger.emit({ type: "info", message: `removed ${relative(ctx.root, p)}: ${n.id} no longer makes it` });
}
