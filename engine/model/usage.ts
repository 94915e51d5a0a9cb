// What one execution cost, as far as it is known: a TypeScript task measures itself in
// its worker; a shell task is sampled from /proc while it runs (a task shorter than one
// sample has none).
export interface Usage {
  cpuMs?: number;
  /** peak resident set during this node (MB) */
  maxRssMb?: number;
  /** bytes read and written through system calls (Linux /proc/<pid>/io rchar, wchar) */
  readBytes?: number;
  writeBytes?: number;
  /** where it ran: "worker <pid>", "shell", "slurm <jobid>", "head" (a restore) — a timeline lane */
  lane?: string;
  /** the cluster job id, for a node run by a cluster executor */
  jobId?: string;
}
