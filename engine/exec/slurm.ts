// The SLURM executor: ready nodes become batch jobs (`sbatch`) running `flow node-run`,
// which runs each node as the local executor would and stores its results in the shared
// cache. At scale (10⁴ nodes; SLURM's default MaxJobCount is 10 000 and schedulers
// rate-limit submissions):
//   * nodes of one task are submitted together: up to the task's `resources.group_size`
//     nodes per job (default 1), run one after the other by one `flow node-run`;
//   * at most `--slurm-max-jobs` jobs are in flight;
//   * one `squeue` call per poll covers every job in flight; `scontrol show job` is asked
//     once per job, when it leaves the queue (sacct needs accounting, which clusters may
//     not have). A failed squeue is asked again (slurm-queue.ts).
// Every job writes `.flow/slurm/<jobname>.keys`, the node keys it runs, so a new head
// adopts a job still queued or running instead of submitting its nodes twice; a job
// that finished while no head was watching has its results in the cache, which the
// planner finds before submitting. Each node's own outcome — with its provenance record,
// which the head appends (cross-host appends are not safe on NFS) — is `<key>.result`,
// written by temp + rename.
import { mkdirSync, writeFileSync, existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256 } from "../hash/canonical.js";
import type { Executor, Execution, ExecutionResult } from "./executor.js";
import type { Usage } from "../model/usage.js";
import type { ProvenanceRecord } from "../records/provenance.js";
import { listDir, readJsonRecord, warnOnStderr, type Warn } from "../host/records.js";
import { taskOf } from "../model/graph-node.js";
import { activeJobs, finalState, slurmCall } from "./slurm-queue.js";

const FLOW_BIN = fileURLToPath(new URL("../../bin/flow.js", import.meta.url));

/** What `flow node-run --job FILE` reads: one node to run, checked against its key. */
export interface NodeJobSpec {
  pipeline: string;
  /** the --set values and the params file of the head's run: the job resolves the same params */
  sets: Record<string, string>;
  paramsFile?: string;
  cacheDir?: string;
  link?: string;
  node: string;
  key: string;
  /** the head's run id, for the node's provenance */
  run?: string;
}

/** What node-run leaves for the head, per node: `<key>.result`. */
export interface NodeJobResult {
  ok: boolean;
  error?: string;
  reason?: string;
  usage?: Usage;
  provenance?: ProvenanceRecord;
}

export interface SlurmOptions {
  root: string;
  pipeline: string;
  sets: Record<string, string>;
  paramsFile?: string;
  cacheDir?: string;
  cacheUrl?: string;
  link?: string;
  partition?: string;
  /** extra sbatch options, e.g. "--mem=8G" */
  opts: string[];
  pollMs?: number;
  /** jobs in flight at most (--slurm-max-jobs) */
  maxJobs: number;
  /** how long a group waits for more nodes of its task before it is submitted */
  gatherMs?: number;
  warn?: Warn;
}

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A single node's job is named after its key; a group's after its keys. */
export function jobName(keys: string[]): string {
  if (keys.length === 1) return `flow-${keys[0]!.slice(0, 24)}`;
  return `flow-g${sha256(keys.join("\n")).slice(0, 23)}`;
}

interface Member {
  job: Execution;
  onLine?: (line: string) => void;
  done: (r: ExecutionResult) => void;
}
interface Tracked {
  id: string;
  name: string;
  logFile: string;
  members: Member[];
}

export class SlurmExecutor implements Executor {
  readonly where = "cluster";
  private readonly dir: string;
  /** nodes waiting to be grouped, by task */
  private readonly pending = new Map<string, { members: Member[]; timer?: NodeJS.Timeout }>();
  /** groups waiting for a free job slot */
  private readonly queued: Member[][] = [];
  private readonly inFlight = new Map<string, Tracked>();
  /** key → a job still active from an earlier head (from the .keys files and one squeue) */
  private adoptable?: Promise<Map<string, { id: string; name: string; keys: string[] }>>;
  private submitting = 0;
  private poller?: NodeJS.Timeout;
  private polling = false;
  private closed = false;
  /** consecutive polls that could not reach SLURM (warned once per streak) */
  private unreachable = 0;
  /** how many sbatch and squeue calls were made (for the summary and tests) */
  readonly calls = { sbatch: 0, squeue: 0 };

  constructor(private readonly o: SlurmOptions) {
    this.dir = join(o.root, ".flow", "slurm");
  }

  /** Nodes the scheduler may hand over at once: enough to fill every job slot's group. */
  capacity(groupSizes: number[]): number {
    return this.o.maxJobs * groupSizes.reduce((a, b) => Math.max(a, b), 1); // no spread: 10⁵ nodes
  }

  execute(job: Execution, onLine?: (line: string) => void): Promise<ExecutionResult> {
    return new Promise((done) => {
      void this.admit({ job, onLine, done });
    });
  }

  private async admit(m: Member) {
    mkdirSync(this.dir, { recursive: true });
    this.adoptable ??= this.findAdoptable(); // one squeue, shared by every node of the run
    const old = (await this.adoptable).get(m.job.key);
    if (old) {
      m.onLine?.(`adopting SLURM job ${old.id} (${old.name})`);
      const t = this.inFlight.get(old.id) ?? { id: old.id, name: old.name, logFile: this.logFile(old.name, old.keys), members: [] };
      t.members.push(m);
      this.inFlight.set(old.id, t);
      this.startPolling();
      return;
    }
    const size = Math.max(1, m.job.resources?.group_size ?? 1);
    const task = taskOf(m.job.node);
    const p = this.pending.get(task) ?? { members: [] };
    this.pending.set(task, p);
    p.members.push(m);
    if (p.timer) clearTimeout(p.timer);
    if (p.members.length >= size) this.flush(task);
    else p.timer = setTimeout(() => this.flush(task), this.o.gatherMs ?? 300);
  }

  private flush(task: string) {
    const p = this.pending.get(task);
    if (!p || p.members.length === 0) return;
    if (p.timer) clearTimeout(p.timer);
    this.pending.delete(task);
    this.queued.push(p.members);
    void this.submitQueued();
  }

  private async submitQueued() {
    while (this.queued.length && this.inFlight.size + this.submitting < this.o.maxJobs && !this.closed) {
      const group = this.queued.shift()!;
      this.submitting++;
      try {
        await this.submit(group);
      } finally {
        this.submitting--;
      }
    }
  }

  private writeSpecs(members: Member[]): string[] {
    return members.map((m) => {
      const spec: NodeJobSpec = {
        pipeline: this.o.pipeline,
        sets: this.o.sets,
        paramsFile: this.o.paramsFile,
        cacheDir: this.o.cacheDir,
        link: this.o.link,
        node: m.job.node,
        key: m.job.key,
        run: m.job.runId,
      };
      const file = join(this.dir, `${m.job.key}.json`);
      writeFileSync(file, JSON.stringify(spec));
      return file;
    });
  }

  private async submit(members: Member[]) {
    const keys = members.map((m) => m.job.key);
    const name = jobName(keys);
    const logFile = this.logFile(name, keys);
    // an outcome left by an earlier attempt must not stand for this one
    for (const k of keys) rmSync(join(this.dir, `${k}.result`), { force: true });
    const specs = this.writeSpecs(members);
    writeFileSync(join(this.dir, `${name}.keys`), keys.join("\n") + "\n");
    // The script holds only flow's own paths: every parameter value stays in the JSON.
    const script = join(this.dir, `${name}.sh`);
    writeFileSync(script, `#!/bin/sh\nexec ${shq(process.execPath)} ${shq(FLOW_BIN)} node-run ${specs.map((f) => `--job ${shq(f)}`).join(" ")}\n`, {
      mode: 0o755,
    });
    const r = members[0]!.job.resources ?? {};
    const argv = [
      "--parsable",
      `--job-name=${name}`,
      `--output=${logFile}`,
      `--chdir=${this.o.root}`,
      ...(this.o.partition ? [`--partition=${this.o.partition}`] : []),
      ...(r.memory ? [`--mem=${r.memory}`] : []),
      ...(r.cpus ? [`--cpus-per-task=${r.cpus}`] : []),
      ...(r.time ? [`--time=${r.time}`] : []),
      ...this.o.opts,
      script,
    ];
    this.calls.sbatch++;
    // The cache URL (it may carry a password) reaches the job in its environment, which
    // sbatch hands over (--export=ALL, SLURM's default): never in argv, a script or a file.
    const env = this.o.cacheUrl ? { ...process.env, FLOW_CACHE_URL: this.o.cacheUrl } : process.env;
    const sb = await slurmCall("sbatch", argv, env);
    if (sb.exitCode !== 0) {
      for (const m of members) m.done({ ok: false, reason: "task-failed", message: `sbatch failed: ${(sb.stderr || sb.stdout).trim()}`, output: "" });
      return;
    }
    const id = sb.stdout.trim().split(";")[0]!;
    for (const m of members) m.onLine?.(`submitted SLURM job ${id}${members.length > 1 ? ` (${members.length} nodes)` : ""}`);
    this.inFlight.set(id, { id, name, logFile, members });
    this.startPolling();
  }

  /** A single node's log is named after its key (as `flow log` and users expect), a group's after the job. */
  private logFile(name: string, keys: string[]): string {
    return join(this.dir, `${keys.length === 1 ? keys[0] : name}.log`);
  }

  /** Jobs of an earlier head that are still queued or running, by the node keys they run. */
  private async findAdoptable(): Promise<Map<string, { id: string; name: string; keys: string[] }>> {
    const out = new Map<string, { id: string; name: string; keys: string[] }>();
    const files = listDir(this.dir).filter((f) => f.endsWith(".keys"));
    if (files.length === 0) return out;
    this.calls.squeue++;
    const q = await slurmCall("squeue", ["-h", "-o", "%i %j %T"]);
    if (q.exitCode !== 0) return out;
    for (const line of q.stdout.trim().split("\n")) {
      const [id, name, state] = line.trim().split(/\s+/);
      if (
        !id ||
        !name?.startsWith("flow-") ||
        !["PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "RESIZING"].includes(state ?? "")
      )
        continue;
      const keysFile = join(this.dir, `${name}.keys`);
      if (!existsSync(keysFile)) continue;
      const keys = readFileSync(keysFile, "utf8").split("\n").filter(Boolean);
      for (const k of keys) out.set(k, { id, name, keys });
    }
    return out;
  }

  private startPolling() {
    if (this.poller || this.closed) return;
    this.poller = setInterval(() => void this.poll(), this.o.pollMs ?? 1000);
  }

  /** One squeue call for every job in flight; jobs that left the queue are settled; an unanswered squeue is asked again. */
  private async poll() {
    if (this.polling || this.inFlight.size === 0) return;
    this.polling = true;
    try {
      const ids = [...this.inFlight.keys()];
      this.calls.squeue++;
      const q = await activeJobs(ids);
      if (!q.ok) {
        if (this.unreachable++ === 0)
          (this.o.warn ?? warnOnStderr)(`squeue failed (${q.why}); asking again every ${(this.o.pollMs ?? 1000) / 1000} s`);
        return;
      }
      this.unreachable = 0;
      for (const id of ids) if (!q.active.has(id)) await this.settle(this.inFlight.get(id)!);
    } finally {
      this.polling = false;
      if (this.inFlight.size === 0 && this.poller) {
        clearInterval(this.poller);
        this.poller = undefined;
      }
      void this.submitQueued();
    }
  }

  private async settle(t: Tracked) {
    this.inFlight.delete(t.id);
    const { state, exit } = await finalState(t.id);
    const tail = () => (existsSync(t.logFile) ? readFileSync(t.logFile, "utf8").trim().split("\n").slice(-8).join("\n") : "(no log)");
    for (const m of t.members) {
      // Each node's own outcome, as node-run wrote it (checked against its schema); without one, the job's.
      const own = readJsonRecord<NodeJobResult>(join(this.dir, `${m.job.key}.result`), "slurm-result", this.o.warn);
      const usage: Usage = { ...own?.usage, lane: `slurm ${t.id}`, jobId: t.id };
      if (own?.ok) m.done({ ok: true, usage, output: "", provenance: own.provenance });
      else if (own)
        m.done({
          ok: false,
          reason: "task-failed",
          message: `${own.error} (SLURM job ${t.id}; log ${t.logFile})`,
          usage,
          output: "",
          provenance: own.provenance,
        });
      // A job purged from slurmctld's memory (UNKNOWN) may still have succeeded: the
      // lifecycle checks the cache for its results either way.
      else if (state === "COMPLETED" || state === "UNKNOWN") m.done({ ok: true, usage, output: "" });
      else
        m.done({
          ok: false,
          reason: "job-lost",
          message: `SLURM job ${t.id} ${state}${exit ? ` (exit ${exit})` : ""}; log ${t.logFile}:\n${tail()}`,
          usage,
          output: "",
        });
    }
  }

  async close() {
    this.closed = true;
    if (this.poller) clearInterval(this.poller);
    for (const p of this.pending.values()) if (p.timer) clearTimeout(p.timer);
  }
}
