// The SLURM executor: each node becomes a batch job (`sbatch`) running `flow node-run`,
// which stores the results in the shared cache. Jobs are tracked with squeue and
// `scontrol show job` (sacct needs accounting, which clusters may not have). A job is
// named after the node's key, so a new head process adopts a job that is still queued or
// running instead of submitting it twice; a job that finished while no head was
// watching has its results in the cache, which the planner finds before submitting.
import { mkdirSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import type { Executor, Job, JobResult } from "./types.js";
import type { NodeJobSpec } from "../cli/commands/node-run.js";

const FLOW_BIN = fileURLToPath(new URL("../../bin/flow.js", import.meta.url));
const ACTIVE = new Set(["PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "RESIZING"]);

export interface SlurmOptions {
  root: string;
  pipeline: string;
  sets: Record<string, string>;
  cacheDir?: string;
  cacheUrl?: string;
  partition?: string;
  /** extra sbatch options, e.g. "--mem=8G" */
  opts: string[];
  pollMs?: number;
}

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function jobName(key: string) {
  return `flow-${key.slice(0, 24)}`;
}

export class SlurmExecutor implements Executor {
  readonly storesOwnResults = true;
  private readonly dir: string;
  constructor(private readonly o: SlurmOptions) {
    this.dir = join(o.root, ".flow", "slurm");
  }

  async execute(job: Job, log: (line: string) => void): Promise<JobResult> {
    mkdirSync(this.dir, { recursive: true });
    const name = jobName(job.key);
    const logFile = join(this.dir, `${job.key}.log`);
    let id = await this.find(name);
    if (id) log(`adopting SLURM job ${id} (${name})`);
    else {
      const spec: NodeJobSpec = { pipeline: this.o.pipeline, sets: this.o.sets, cacheDir: this.o.cacheDir, cacheUrl: this.o.cacheUrl, node: job.node, key: job.key };
      const specFile = join(this.dir, `${job.key}.json`);
      writeFileSync(specFile, JSON.stringify(spec));
      // The script holds only flow's own paths: every parameter value stays in the JSON.
      const script = join(this.dir, `${job.key}.sh`);
      writeFileSync(script, `#!/bin/sh\nexec ${shq(process.execPath)} ${shq(FLOW_BIN)} node-run --job ${shq(specFile)}\n`, { mode: 0o755 });
      const r = job.resources ?? {};
      const argv = [
        "--parsable", `--job-name=${name}`, `--output=${logFile}`, `--chdir=${this.o.root}`,
        ...(this.o.partition ? [`--partition=${this.o.partition}`] : []),
        ...(r.memory ? [`--mem=${r.memory}`] : []), ...(r.cpus ? [`--cpus-per-task=${r.cpus}`] : []), ...(r.time ? [`--time=${r.time}`] : []),
        ...this.o.opts, script,
      ];
      const sb = await execa("sbatch", argv, { reject: false });
      if (sb.exitCode !== 0) return { ok: false, reason: "task-failed", message: `sbatch failed: ${(sb.stderr || sb.stdout).trim()}` };
      id = sb.stdout.trim().split(";")[0]!;
      log(`submitted SLURM job ${id}`);
    }
    return this.wait(id, logFile);
  }

  /** The id of a queued or running job with this name, if any. */
  private async find(name: string): Promise<string | undefined> {
    const r = await execa("squeue", ["-h", "-n", name, "-o", "%i %T"], { reject: false });
    if (r.exitCode !== 0) return undefined;
    const line = r.stdout.trim().split("\n").find((l) => ACTIVE.has(l.split(" ")[1] ?? ""));
    return line?.split(" ")[0];
  }

  private async wait(id: string, logFile: string): Promise<JobResult> {
    const poll = this.o.pollMs ?? 1000;
    for (;;) {
      const q = await execa("squeue", ["-h", "-j", id, "-o", "%T"], { reject: false });
      const state = q.exitCode === 0 ? q.stdout.trim() : "";
      if (!ACTIVE.has(state)) break;
      await new Promise((r) => setTimeout(r, poll));
    }
    const sc = await execa("scontrol", ["show", "job", id], { reject: false });
    const final = /JobState=(\w+)/.exec(sc.stdout)?.[1] ?? "UNKNOWN";
    const exit = /ExitCode=(\d+:\d+)/.exec(sc.stdout)?.[1];
    // A job purged from slurmctld's memory (UNKNOWN) may still have succeeded: the
    // scheduler checks the cache for its results either way.
    if (final === "COMPLETED" || final === "UNKNOWN") return { ok: true };
    const tail = existsSync(logFile) ? readFileSync(logFile, "utf8").trim().split("\n").slice(-8).join("\n") : "(no log)";
    return { ok: false, reason: "task-failed", message: `SLURM job ${id} ${final}${exit ? ` (exit ${exit})` : ""}; log ${logFile}:\n${tail}` };
  }

  async close() {}
}
