// What an executor is handed for a node, and the provenance record of one execution.
import { hostname } from "node:os";
import { relative } from "node:path";
import { inputPaths, outputPairs, type GraphNode, type OutputHashes, type OutputPaths } from "../model/graph-node.js";
import type { Execution } from "../exec/executor.js";
import type { Assessment } from "../plan/planner.js";
import type { ProvenanceRecord } from "../records/provenance.js";
import type { Usage } from "../model/usage.js";
import { FLOW_VERSION } from "../version.js";

export function executionOf(
  root: string,
  n: GraphNode,
  a: Assessment,
  inputs: Record<string, string | string[]>,
  outputs: OutputPaths,
  o: { runId?: string; live: boolean },
): Execution {
  return {
    node: n.id,
    key: a.key!,
    run: n.run,
    root,
    params: { ...n.params, ...n.vars },
    inputs,
    inputHashes: a.inputs!,
    outputs,
    resources: n.resources,
    runId: o.runId,
    live: o.live,
  };
}

export function provenanceOf(
  root: string,
  n: GraphNode,
  a: Assessment,
  r: { start: string; outputs?: OutputHashes; error?: string; usage?: Usage; runId?: string; attempt: number },
): ProvenanceRecord {
  const rel = (p: string) => relative(root, p);
  return {
    node: n.id,
    task: n.task,
    vars: n.vars,
    key: a.key!,
    code: { version: a.code.version, files: a.code.files },
    params: n.params,
    environment: Object.keys(a.environment).length ? a.environment : undefined,
    inputs: Object.entries(n.inputs).flatMap(([name, i]) =>
      inputPaths(i).map((p, k) => {
        const h = a.inputs![name];
        return { name, path: rel(p), hash: Array.isArray(h) ? h[k]! : h! };
      }),
    ),
    outputs: r.outputs ? outputPairs(n, r.outputs).map((p) => ({ name: p.name, path: rel(p.path), hash: p.hash! })) : [],
    start: r.start,
    end: new Date().toISOString(),
    host: hostname(),
    pid: process.pid,
    status: r.error ? "failed" : "ok",
    error: r.error,
    flowVersion: FLOW_VERSION,
    run: r.runId,
    attempt: r.attempt > 1 ? r.attempt : undefined,
    maxRssMb: r.usage?.maxRssMb,
    cpuMs: r.usage?.cpuMs,
    readBytes: r.usage?.readBytes,
    writeBytes: r.usage?.writeBytes,
    lane: r.usage?.lane,
  };
}
