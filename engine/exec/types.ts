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
}

export type JobResult = (
  | { ok: true }
  | { ok: false; reason: "task-failed" | "crashed"; message: string; detail?: string }
) & {
  /** peak resident set of the process that ran the job, when known (MB) */
  maxRssMb?: number;
};

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
