// The local executor: a pool of long-lived worker processes for TypeScript tasks
// (starting Node + h5wasm costs ~0.3 s, so workers are reused), and execa for shell
// tasks, always as an argv array — never a shell string.
import { fork, type ChildProcess, type Serializable } from "node:child_process";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import type { Executor, Job, JobResult, Usage } from "./types.js";
import { sample, type ProcSample } from "./proc-usage.js";
import { FlowError } from "../errors.js";

const WORKER = fileURLToPath(new URL("./worker.ts", import.meta.url));
const REGISTER = fileURLToPath(new URL("../runtime/register.mjs", import.meta.url));

interface Worker {
  proc: ChildProcess;
}

export class LocalExecutor implements Executor {
  private idle: Worker[] = [];
  private all = new Set<Worker>();
  private starting: Promise<Worker>[] = [];
  /** every process forked, ready or not, so close() can end them at once */
  private procs = new Set<ChildProcess>();
  private closed = false;

  warm(n: number, modules: string[] = []) {
    if (this.closed) return;
    for (let i = this.all.size + this.starting.length; i < n; i++) {
      const p = this.spawn().then((w) => {
        if (modules.length) send(w.proc, { type: "preload", modules });
        return w;
      });
      this.starting.push(p);
      p.then(
        (w) => {
          this.idle.push(w);
        },
        () => {
          /* a failed start shows up when a job needs a worker */
        },
      ).finally(() => {
        this.starting = this.starting.filter((x) => x !== p);
      });
    }
  }

  /** An idle live worker (one that died while idle is dropped), a starting one, or a new one. */
  private async take(): Promise<Worker> {
    const live = () => {
      for (let w = this.idle.pop(); w; w = this.idle.pop()) if (w.proc.connected && w.proc.exitCode === null) return w;
      return undefined;
    };
    // Wait for a starting worker rather than start one more: two jobs that wake on the
    // same ready worker must not leave a third process behind.
    for (;;) {
      const w = live();
      if (w) return w;
      if (this.starting.length === 0) return this.spawn();
      await Promise.race(this.starting.map((p) => p.catch(() => undefined)));
    }
  }

  private spawn(): Promise<Worker> {
    return new Promise((res, rej) => {
      const proc = fork(WORKER, [], {
        execArgv: ["--import", REGISTER, ...(process.env.FLOW_WORKER_NODE_OPTIONS?.split(" ").filter(Boolean) ?? [])],
        stdio: ["ignore", "inherit", "inherit", "ipc"],
        serialization: "advanced",
      });
      this.procs.add(proc);
      proc.once("exit", () => this.procs.delete(proc));
      // A send to a worker that just died (Ctrl-C reached it first) fails with EPIPE:
      // its exit event reports it; the error must not crash the head.
      proc.on("error", () => {
        /* reported by 'exit' */
      });
      const w: Worker = { proc };
      const onExit = (code: number | null) => rej(new Error(`worker exited at start-up (code ${code})`));
      proc.once("exit", onExit);
      proc.once("message", (m: { type: string }) => {
        if (m.type === "ready") {
          proc.off("exit", onExit);
          this.all.add(w);
          proc.once("exit", () => this.all.delete(w));
          res(w);
        }
      });
    });
  }

  async execute(job: Job, log: (line: string) => void): Promise<JobResult> {
    if ("argv" in job.run) return runShell(job, log);
    const w = await this.take();
    return new Promise<JobResult>((res) => {
      const onMsg = (m: { type: string; line?: string; result?: JobResult }) => {
        if (m.type === "log") log(m.line!);
        else if (m.type === "done") {
          cleanup();
          // After a failure the worker is not reused: an HDF5 error leaves identifiers
          // open in its heap (docs/h5wasm-notes.md §6), which could poison the next task's file.
          if (m.result!.ok) this.idle.push(w);
          else w.proc.kill("SIGKILL");
          res(m.result!);
        }
      };
      const onExit = (code: number | null, signal: string | null) => {
        cleanup();
        res({ ok: false, reason: "crashed", message: `worker process died (${signal ? `signal ${signal}` : `exit code ${code}`})` });
      };
      const cleanup = () => {
        w.proc.off("message", onMsg);
        w.proc.off("exit", onExit);
      };
      w.proc.on("message", onMsg);
      w.proc.once("exit", onExit);
      send(w.proc, { type: "run", job });
    });
  }

  async close() {
    this.closed = true;
    // Workers ignore SIGINT/SIGTERM (the head decides when a run ends), so: SIGKILL.
    for (const p of this.procs) p.kill("SIGKILL");
    this.all.clear();
    this.idle = [];
  }
}

/** IPC to a worker that may have died: failures surface as its exit, never as a throw. */
function send(proc: ChildProcess, m: Serializable) {
  if (!proc.connected) return;
  try {
    proc.send(m, (e) => {
      if (e) {
        /* the worker's exit reports it */
      }
    });
  } catch {
    /* channel closed between the check and the send */
  }
}

/** `${in.name}`, `${out.name}` and `${param}` in argv; each element stays one argument. */
export function expandArgv(job: Job): string[] {
  if (!("argv" in job.run)) throw new Error("not a shell job");
  const out: string[] = [];
  for (const el of job.run.argv) {
    const whole = /^\$\{(in|out)\.([A-Za-z0-9_-]+)\}$/.exec(el);
    if (whole) {
      const v = (whole[1] === "in" ? job.inputs : job.outputs)[whole[2]!];
      if (v === undefined) throw new FlowError("pipeline-invalid", `argv '${el}': no such ${whole[1] === "in" ? "input" : "output"}`);
      for (const x of typeof v === "string" ? [v] : Array.isArray(v) ? v : Object.values(v)) out.push(x); // no spread: 10⁵ paths
      continue;
    }
    out.push(
      el.replace(/\$\{([A-Za-z0-9_.-]+)\}/g, (_m, ref: string) => {
        const [scope, name] = ref.includes(".") ? (ref.split(".", 2) as [string, string]) : ["", ref];
        let v: unknown;
        if (scope === "in") v = job.inputs[name];
        else if (scope === "out") v = job.outputs[name];
        else v = job.params[name];
        if (v === undefined) throw new FlowError("pipeline-invalid", `argv '${el}': unknown reference \${${ref}}`);
        if (typeof v === "object") throw new FlowError("pipeline-invalid", `argv '${el}': \${${ref}} is a list; use it as a whole argument`);
        return String(v);
      }),
    );
  }
  return out;
}

async function runShell(job: Job, log: (line: string) => void): Promise<JobResult> {
  let argv: string[];
  try {
    argv = expandArgv(job);
  } catch (e) {
    return { ok: false, reason: "task-failed", message: (e as Error).message };
  }
  const [cmd, ...args] = argv;
  try {
    const child = execa(cmd!, args, { cwd: job.root, reject: false, shell: false, all: true, stdin: "ignore" });
    // A shell task is sampled from /proc while it runs: its last sample and highest peak.
    let last: ProcSample = {};
    let hwm = 0;
    const poll = () => {
      if (child.pid === undefined) return;
      const s = sample(child.pid);
      if (s.cpuMs !== undefined) last = s;
      hwm = Math.max(hwm, s.hwmKb ?? 0);
    };
    const timer = setInterval(poll, 100);
    const r = await child.finally(() => clearInterval(timer));
    const usage: Usage = {
      lane: "shell",
      cpuMs: last.cpuMs,
      maxRssMb: hwm ? Math.round(hwm / 1024) : undefined,
      readBytes: last.rchar,
      writeBytes: last.wchar,
    };
    for (const line of (r.all ?? "").split("\n")) if (line) log(line);
    if (r.exitCode === 0) return { ok: true, usage };
    // Ctrl-C or a SIGTERM to the process group reaches the task and flow at once; give
    // flow's own handler the moment it needs, so the node is reported as interrupted
    // with the run, not as a failure of its own.
    if (r.signal === "SIGINT" || r.signal === "SIGTERM" || r.signal === "SIGHUP") await new Promise((res) => setTimeout(res, 300));
    const tail = (r.all ?? "").trim().split("\n").slice(-5).join("\n");
    const why = r.signal
      ? `killed by ${r.signal}`
      : r.failed && r.exitCode === undefined
        ? (r.shortMessage ?? "could not start")
        : `exit code ${r.exitCode}`;
    return { ok: false, reason: "task-failed", message: `${cmd} failed (${why})${tail ? `: ${tail}` : ""}`, usage };
  } catch (e) {
    return { ok: false, reason: "task-failed", message: `${cmd}: ${(e as Error).message}` };
  }
}
