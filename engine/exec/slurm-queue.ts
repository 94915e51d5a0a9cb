// Asking SLURM about jobs: sbatch, squeue, scontrol — with their failures told apart. A
// transport failure (slurmctld restarting, a network blip) is not an answer: the jobs are
// asked about again at the next poll. Only SLURM saying it does not know a job id ends it.

// execa (a hundred modules through the TypeScript loader) is loaded on the first SLURM
// call, not by every `flow` process that imports the executors.
export async function slurmCall(
  file: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
): Promise<{ exitCode?: number; stdout: string; stderr: string }> {
  const { execa } = await import("execa");
  const r = await execa(file, args, { reject: false, env });
  return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

export const ACTIVE = new Set(["PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "RESIZING"]);

export type QueueAnswer = { ok: true; active: Set<string> } | { ok: false; why: string };

/**
 * Which of these jobs are still queued or running. squeue exits non-zero both when it
 * cannot reach the controller and when it knows none of the ids; only the latter means
 * the jobs have left.
 */
export async function activeJobs(ids: string[]): Promise<QueueAnswer> {
  const q = await slurmCall("squeue", ["-h", "-j", ids.join(","), "-o", "%i %T"]);
  if (q.exitCode !== 0) {
    const text = `${q.stderr}\n${q.stdout}`.trim();
    if (/invalid job id/i.test(text)) return { ok: true, active: new Set() };
    return { ok: false, why: text.split("\n")[0] || `squeue exited ${q.exitCode}` };
  }
  const active = new Set<string>();
  for (const line of q.stdout.trim().split("\n")) {
    const [id, state] = line.trim().split(/\s+/);
    if (id && ACTIVE.has(state ?? "")) active.add(id);
  }
  return { ok: true, active };
}

/** A finished job's final state and exit code, as scontrol knows it ("UNKNOWN" once it is purged, or when scontrol fails). */
export async function finalState(id: string): Promise<{ state: string; exit?: string }> {
  const sc = await slurmCall("scontrol", ["show", "job", id]);
  return { state: /JobState=(\w+)/.exec(sc.stdout)?.[1] ?? "UNKNOWN", exit: /ExitCode=(\d+:\d+)/.exec(sc.stdout)?.[1] };
}
