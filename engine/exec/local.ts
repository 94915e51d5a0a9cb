// The local executor: a pool of long-lived worker processes for TypeScript tasks
// (starting Node and h5wasm costs more than most nodes: workers are reused); shell tasks run from
// shell.ts, always as an argv array — never a shell string.
import { fork, type ChildProcess, type Serializable } from "node:child_process";
import { fileURLToPath } from "node:url";
import { LOCALITY_MAX_INPUTS, type Executor, type Execution, type ExecutionResult } from "./executor.js";
import { runShell, ShellRunner } from "./shell.js";

const WORKER = fileURLToPath(new URL("./worker.ts", import.meta.url));
const REGISTER = fileURLToPath(new URL("../runtime/register.mjs", import.meta.url));

interface Worker {
  proc: ChildProcess;
  /** the input paths of the last job it ran (what it may still hold in memory) */
  read?: Set<string>;
}

/** A job's input paths, when it has few enough to take part in locality. */
const jobPaths = (job: Execution) => {
  const ps = Object.values(job.inputs).flat();
  return ps.length <= LOCALITY_MAX_INPUTS ? ps : [];
};

/**
 * glibc keeps the memory a worker frees for the worker's next arrays instead of handing
 * it back to the kernel: a worker allocates hundreds of MB a node (a session's spike
 * times, tensors on their way to HDF5), and fresh pages are expensive on first touch on
 * virtual machines (bench/full-session.ts shows the difference). A worker's
 * peak memory is unchanged; it keeps its high-water mark until it exits. A GLIBC_TUNABLES
 * the user set is left as it is; other C libraries ignore the variable.
 */
export const WORKER_MALLOC_TUNABLES = "glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=4294967296";
export function workerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return env.GLIBC_TUNABLES === undefined ? { ...env, GLIBC_TUNABLES: WORKER_MALLOC_TUNABLES } : env;
}

export class LocalExecutor implements Executor {
  readonly where = "here";
  private idle: Worker[] = [];
  private all = new Set<Worker>();
  private starting: Promise<Worker>[] = [];
  /** every process forked, ready or not, so close() can end them at once */
  private procs = new Set<ChildProcess>();
  private closed = false;
  private shell: ShellRunner;

  /**
   * @param opts.unref workers that do not keep this process alive (a pool kept across
   *   in-process runs by a test process, which may end at any time; they exit with it)
   * @param opts.workerNodeOptions, opts.shellNodeOptions extra Node options for the worker
   *   and shell-helper processes (FLOW_WORKER_NODE_OPTIONS: a profiler, a heap limit)
   */
  constructor(private readonly opts: { unref?: boolean; workerNodeOptions?: string[]; shellNodeOptions?: string[] } = {}) {
    this.shell = new ShellRunner(opts.shellNodeOptions ?? []);
  }

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

  /**
   * An idle live worker (one that died while idle is dropped) — the one whose last job
   * read one of this job's inputs if there is one (see Locality in the scheduler) — a
   * starting one, or a new one.
   */
  private async take(job: Execution): Promise<Worker> {
    const live = () => {
      const paths = jobPaths(job);
      const near = this.idle.findIndex((w) => w.read && paths.some((p) => w.read!.has(p)));
      if (near >= 0) this.idle.push(...this.idle.splice(near, 1));
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
        execArgv: ["--import", REGISTER, ...(this.opts.workerNodeOptions ?? [])],
        env: workerEnv(process.env),
        stdio: ["ignore", "inherit", "inherit", "ipc"],
        serialization: "advanced",
      });
      this.procs.add(proc);
      if (this.opts.unref) {
        proc.unref();
        (proc.channel as { unref?: () => void } | undefined)?.unref?.();
      }
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

  async execute(job: Execution, onLine?: (line: string) => void): Promise<ExecutionResult> {
    if ("argv" in job.run) return runShell(job, this.shell, onLine);
    const w = await this.take(job);
    w.read = new Set(jobPaths(job));
    return new Promise<ExecutionResult>((res) => {
      const onMsg = (m: { type: string; line?: string; result?: ExecutionResult }) => {
        if (m.type === "log") onLine?.(m.line!);
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
        res({ ok: false, reason: "crashed", message: `worker process died (${signal ? `signal ${signal}` : `exit code ${code}`})`, output: "" });
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
    await this.shell.close();
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
