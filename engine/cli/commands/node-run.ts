// `flow node-run --job spec.json [--job spec2.json …]`: what a cluster job runs. It
// plans the workspace (on the shared filesystem) once, and for each node checks that its
// key is still the one the head submitted, executes it and stores its results in the
// shared cache, leaving `<key>.result` beside the spec for the head. The head restores
// the results from the cache. Not meant to be typed by hand.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { list, type CommandSpec, type Values } from "../args.js";
import type { Io } from "../context.js";
import { loadPipeline } from "../../pipeline/load.js";
import { Workspace } from "../../workspace.js";
import { Planner } from "../../plan/plan.js";
import { LocalExecutor } from "../../exec/local.js";
import { executeIntoCache } from "../../schedule/execute-node.js";
import { FlowError } from "../../errors.js";
import type { NodeJobSpec, NodeResultFile } from "../../exec/slurm.js";

async function nodeRunCommand(_positionals: string[], values: Values, io: Io): Promise<number> {
  const files = list(values, "job");
  if (files.length === 0) throw new FlowError("usage", "flow node-run --job <spec.json> [--job …]");
  const specs = files.map((f) => ({ file: f, spec: JSON.parse(readFileSync(f, "utf8")) as NodeJobSpec }));
  const first = specs[0]!.spec; // one group: one pipeline, one set of params and cache
  const pipeline = await loadPipeline(first.pipeline, { sets: first.sets, prepare: false });
  // the cache URL comes in the job's environment (sbatch exports the head's), never in a file
  const ws = await Workspace.open(pipeline.root, { cacheDir: first.cacheDir, cacheUrl: process.env.FLOW_CACHE_URL });
  const executor = new LocalExecutor();
  let failed = 0;
  try {
    const planner = new Planner(pipeline, ws);
    const need = pipeline.dag.closureUp(specs.map((s) => s.spec.node));
    const status = new Map<string, Awaited<ReturnType<Planner["status"]>>>();
    for await (const st of planner.assess(need)) status.set(st.node.id, st);
    for (const { file, spec } of specs) {
      const result = (r: NodeResultFile) => writeFileSync(join(dirname(file), `${spec.key}.result`), JSON.stringify(r));
      const node = pipeline.nodes.find((n) => n.id === spec.node);
      const st = status.get(spec.node);
      let error: string | undefined;
      let usage: NodeResultFile["usage"];
      if (!node || !st) error = `no node ${spec.node} in ${spec.pipeline}`;
      else if (!st.key) error = `inputs not ready: ${st.reasons.join("; ")}`;
      else if (st.key !== spec.key)
        error = `the workspace changed since the job was submitted (key ${st.key.slice(0, 12)}, submitted ${spec.key.slice(0, 12)})`;
      else {
        const r = await executeIntoCache(pipeline, ws, node, st, executor, (line) => io.out(`${spec.node}: ${line}\n`), spec.run);
        usage = r.usage;
        if (!r.ok) {
          error = r.error;
          if (r.detail) io.err(`${r.detail}\n`);
        }
      }
      if (error) {
        failed++;
        io.err(`flow node-run: ${spec.node}: ${error}\n`);
        result({ ok: false, error, usage });
      } else {
        io.out(`flow node-run: ${spec.node} stored in the cache\n`);
        result({ ok: true, usage });
      }
    }
    return failed ? 1 : 0;
  } finally {
    await executor.close();
    await ws.close();
  }
}

export const nodeRun: CommandSpec = {
  name: "node-run",
  summary: "run nodes inside a cluster job (flow's own plumbing)",
  args: "",
  options: [{ flags: "--job <spec.json>", description: "a node to run (repeatable)", repeat: true, noDash: true }],
  hidden: true,
  run: nodeRunCommand,
};
