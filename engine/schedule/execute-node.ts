// Executing one node into the cache: temp outputs → the task → objects → index entry →
// provenance record. The head runs this for local executors; a cluster job runs it
// itself (flow node-run) and the head then restores from the cache.
import { hostname } from "node:os";
import { relative } from "node:path";
import type { Pipeline, PlanNode } from "../pipeline/types.js";
import { inputPaths } from "../pipeline/types.js";
import type { NodeStatus } from "../plan/plan.js";
import type { Workspace } from "../workspace.js";
import { FLOW_VERSION } from "../version.js";
import type { Executor, Job } from "../exec/types.js";
import type { OutputHashes } from "../store/index.js";
import { tempOutputs, storeOutputs, removeTemp, changedInputs } from "../store/materialise.js";
import { systemFailure } from "../errors.js";
import type { Usage } from "../exec/types.js";
import { OutputTail, writeTaskOutput } from "../records/task-output.js";

export type ExecOutcome = ({ ok: true; hashes: OutputHashes } | { ok: false; error: string; detail?: string }) & { usage?: Usage };

export function jobFor(pipeline: Pipeline, n: PlanNode, key: string, outputs: Job["outputs"]): Job {
  return {
    node: n.id,
    key,
    run: n.run,
    root: pipeline.root,
    params: { ...n.params, ...n.vars },
    inputs: Object.fromEntries(Object.entries(n.inputs).map(([k, i]) => [k, i.kind === "file" ? i.path : i.paths])),
    outputs,
    resources: n.resources,
  };
}

/**
 * @param run the id of the run this belongs to (its history, `flow log --run`)
 */
export async function executeIntoCache(
  pipeline: Pipeline,
  ws: Workspace,
  n: PlanNode,
  st: NodeStatus,
  executor: Executor,
  log: (line: string) => void,
  run?: string,
): Promise<ExecOutcome> {
  const key = st.key!;
  const startedAt = new Date().toISOString();
  const tmp = tempOutputs(ws, n, key);
  let error: string | undefined, detail: string | undefined, hashes: OutputHashes | undefined, usage: Usage | undefined;
  let changed: string[];
  const output = new OutputTail();
  const both = (line: string) => {
    output.push(line);
    log(line);
  };
  try {
    const res = await executor.execute(jobFor(pipeline, n, key, tmp.paths), both);
    usage = res.usage;
    if (!res.ok) {
      error = res.message;
      detail = res.detail;
    } else if ((changed = changedInputs(ws, n, st.inputs!)).length) {
      // The result may come from other bytes than the key says: store nothing.
      error = `input changed while the task ran: ${changed.map((p) => relative(pipeline.root, p)).join(", ")}`;
    } else {
      const stored = storeOutputs(ws, tmp.paths);
      if (typeof stored === "string") error = stored;
      else {
        hashes = stored;
        await ws.index.set(key, { outputs: hashes, node: n.id, at: new Date().toISOString() });
      }
    }
  } catch (e) {
    // storing or indexing failed (a full disk, a read-only index): the node fails
    error = systemFailure(e)?.message ?? (e as Error).message;
    detail = (e as Error).stack;
  } finally {
    removeTemp(tmp);
  }
  if (error) output.push(`flow: ${error}`);
  try {
    writeTaskOutput(ws.cacheDir, key, output);
  } catch {
    /* the output is a convenience; a full disk already failed the node above */
  }
  ws.records.append({
    node: n.id,
    task: n.task,
    vars: n.vars,
    key,
    code: st.code,
    params: n.params,
    inputs: Object.entries(n.inputs).flatMap(([name, i]) =>
      inputPaths(i).map((p, k) => {
        const h = st.inputs![name];
        return { name, path: relative(pipeline.root, p), hash: Array.isArray(h) ? h[k]! : h! };
      }),
    ),
    outputs: hashes
      ? Object.entries(n.outputs).flatMap(([name, o]) => {
          const h = hashes![name]!;
          return o.kind === "file"
            ? [{ name, path: relative(pipeline.root, o.path), hash: h as string }]
            : Object.entries(o.paths).map(([m, p]) => ({ name, path: relative(pipeline.root, p), hash: (h as Record<string, string>)[m]! }));
        })
      : [],
    start: startedAt,
    end: new Date().toISOString(),
    host: hostname(),
    pid: process.pid,
    status: error ? "failed" : "ok",
    error,
    flowVersion: FLOW_VERSION,
    run,
    maxRssMb: usage?.maxRssMb,
    cpuMs: usage?.cpuMs,
    readBytes: usage?.readBytes,
    writeBytes: usage?.writeBytes,
    lane: usage?.lane,
  });
  return error ? { ok: false, error, detail, usage } : { ok: true, hashes: hashes!, usage };
}
