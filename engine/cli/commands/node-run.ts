// `flow node-run --job spec.json`: what a cluster job runs. It re-plans the workspace
// (on the shared filesystem), checks that the node's key is still the one the head
// submitted, executes the node and stores its results in the shared cache. The head
// restores them from there. Not meant to be typed by hand.
import { readFileSync } from "node:fs";
import { parse } from "../args.js";
import type { Io } from "../context.js";
import { loadPipeline } from "../../pipeline/load.js";
import { Workspace } from "../../workspace.js";
import { Planner } from "../../plan/plan.js";
import { LocalExecutor } from "../../exec/local.js";
import { executeIntoCache } from "../../schedule/execute-node.js";
import { FlowError } from "../../errors.js";

export interface NodeJobSpec {
  pipeline: string;
  sets: Record<string, string>;
  cacheDir?: string;
  cacheUrl?: string;
  node: string;
  key: string;
}

export async function nodeRunCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, { job: { type: "string" } });
  if (!values.job) throw new FlowError("usage", "flow node-run --job <spec.json>");
  const spec: NodeJobSpec = JSON.parse(readFileSync(values.job, "utf8"));
  const pipeline = await loadPipeline(spec.pipeline, { sets: spec.sets, prepare: false });
  const ws = await Workspace.open(pipeline.root, { cacheDir: spec.cacheDir, cacheUrl: spec.cacheUrl });
  try {
    const node = pipeline.nodes.find((n) => n.id === spec.node);
    if (!node) throw new FlowError("usage", `no node ${spec.node} in ${spec.pipeline}`);
    const planner = new Planner(pipeline, ws);
    const need = pipeline.dag.closureUp([spec.node]);
    let st;
    for (const n of pipeline.nodes) if (need.has(n.id)) {
      const s = await planner.status(n);
      if (n.id === spec.node) st = s;
    }
    if (!st?.key) throw new FlowError("input-missing", `${spec.node}: inputs not ready: ${st?.reasons.join("; ")}`);
    if (st.key !== spec.key) throw new FlowError("input-missing", `${spec.node}: the workspace changed since the job was submitted (key ${st.key.slice(0, 12)}, submitted ${spec.key.slice(0, 12)})`);
    const executor = new LocalExecutor();
    try {
      const r = await executeIntoCache(pipeline, ws, node, st, executor, (line) => io.out(`${line}\n`));
      if (!r.ok) {
        io.err(`flow node-run: ${spec.node}: ${r.error}\n`);
        if (r.detail) io.err(`${r.detail}\n`);
        return 1;
      }
      io.out(`flow node-run: ${spec.node} stored in the cache\n`);
      return 0;
    } finally {
      await executor.close();
    }
  } finally {
    await ws.close();
  }
}
