// The executor interface: the scheduler hands it a job and gets a result back. The
// local pool implements it now; a cluster executor (SLURM) can implement it later
// without touching the scheduler.
import type { ParamValue, RunSpec, TaskSpec } from "../pipeline/types.js";

export interface Job {
  node: string;
  key: string;
  run: RunSpec;
  root: string;
  params: Record<string, ParamValue>;
  inputs: Record<string, string | string[]>;
  /** temporary output paths the job must create */
  outputs: Record<string, string | Record<string, string>>;
  resources?: TaskSpec["resources"];
  /** the run this job belongs to (recorded in its provenance) */
  runId?: string;
}

/**
 * What one node cost, as far as it is known: a TypeScript task measures itself in its
 * worker; a shell task is sampled from /proc while it runs (a task shorter than one
 * sample has none).
 */
export interface Usage {
  cpuMs?: number;
  /** peak resident set during this node (MB) */
  maxRssMb?: number;
  /** bytes read and written through system calls (Linux /proc/<pid>/io rchar, wchar) */
  readBytes?: number;
  writeBytes?: number;
  /** where it ran: "worker <pid>", "shell", "slurm <jobid>" — a timeline lane */
  lane?: string;
  /** the cluster job id, for a node run by a cluster executor */
  jobId?: string;
}

export type JobResult = ({ ok: true } | { ok: false; reason: "task-failed" | "crashed"; message: string; detail?: string }) & {
  usage?: Usage;
};

/**
 * Data locality (the scheduler's Locality, the local pool's choice of worker) counts
 * only nodes with at most this many input files: a gather's inputs are shared by nothing.
 */
export const LOCALITY_MAX_INPUTS = 16;

export interface Executor {
  /**
   * Remote executors (a cluster) run `flow node-run`, which stores the results in the
   * shared cache itself; the scheduler then restores them. Local ones run the task and
   * leave the outputs at the job's temp paths.
   */
  readonly storesOwnResults?: boolean;
  /**
   * Optional: get up to n workers ready while the scheduler plans (start-up is not
   * free), with these task modules already imported.
   */
  warm?(n: number, modules?: string[]): void;
  execute(job: Job, log: (line: string) => void): Promise<JobResult>;
  close(): Promise<void>;
}
