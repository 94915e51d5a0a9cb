// The executor interface: the node lifecycle hands it an execution — one node's task, its
// inputs, and the temp paths where its outputs go — and gets a result back. The local
// pool (worker processes, and a helper that starts shell tasks) runs it here; the SLURM
// executor runs it in a cluster job (which stores the outputs into the shared cache
// itself). The scheduler never sees the difference.
import type { InputHashes, OutputPaths, ParamValue, Resources, RunDef } from "../model/graph-node.js";
import type { Usage } from "../model/usage.js";
import type { ProvenanceRecord } from "../records/provenance.js";

export interface Execution {
  node: string;
  key: string;
  run: RunDef;
  root: string;
  params: Record<string, ParamValue>;
  /** input name → path(s) the task reads */
  inputs: Record<string, string | string[]>;
  /** input name → content hash(es), as the key names them (a worker's memo keys on these) */
  inputHashes: InputHashes;
  /** temporary output paths the task must create */
  outputs: OutputPaths;
  resources?: Resources;
  /** the run this belongs to (recorded in its provenance) */
  runId?: string;
  /** forward what the task prints as it prints it (flow run -v) */
  live?: boolean;
}

export type ExecutionFailure = "task-failed" | "crashed" | "interrupted" | "job-lost";

export type ExecutionResult = ({ ok: true } | { ok: false; reason: ExecutionFailure; message: string; detail?: string }) & {
  usage?: Usage;
  /** the tail of what the task printed (bounded where the task ran: OUTPUT_TAIL_BYTES) */
  output: string;
  /** a cluster job reports the provenance of what it stored; the head records it */
  provenance?: ProvenanceRecord;
};

/**
 * Data locality (the scheduler's Locality, the local pool's choice of worker) counts only
 * nodes with at most this many input files: a gather's inputs are shared by nothing.
 */
export const LOCALITY_MAX_INPUTS = 16;

export interface Executor {
  /** "here": the task runs in this process's pool and leaves its outputs at the temp paths; "cluster": a job runs and stores it */
  readonly where: "here" | "cluster";
  /** Optional: get up to n workers ready while the scheduler plans (start-up is not free), with these task modules imported. */
  warm?(n: number, modules?: string[]): void;
  execute(x: Execution, onLine?: (line: string) => void): Promise<ExecutionResult>;
  close(): Promise<void>;
}
