// Shell tasks: an argv array (never a shell string), run in the workspace with stdin
// closed, stdout and stderr merged into one output in the order they arrive.
//
// They are started by one small helper process (shell-process.ts), not by the head:
// fork+exec copies the page tables of the process that spawns, and runs in its main
// thread: the larger the process, the longer each spawn blocks it. The helper stays small,
// and its spawns overlap with the head's own bookkeeping (bench/graph-scale.ts).
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Execution, ExecutionResult } from "./executor.js";
import { FlowError } from "../errors.js";
import type { ShellExit, ShellRequest, ShellReply } from "./shell-process.js";

/** `${in.name}`, `${out.name}` and `${param}` in argv; each element stays one argument. */
export function expandArgv(job: Execution): string[] {
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

const HELPER = fileURLToPath(new URL("./shell-process.ts", import.meta.url));
const REGISTER = fileURLToPath(new URL("../runtime/register.mjs", import.meta.url));

/** The head's side of the helper: started on the first shell job, restarted if it dies. */
export class ShellRunner {
  private proc: ChildProcess | undefined;
  /** job id → the helper it was sent to, who waits for it, and who follows its lines */
  private pending = new Map<number, { proc: ChildProcess; done: (r: ShellExit) => void; onLine?: (line: string) => void }>();
  private next = 0;
  private closed = false;

  constructor(private readonly nodeOptions: string[] = []) {}

  private helper(): ChildProcess {
    if (this.proc && this.proc.connected) return this.proc;
    const proc = fork(HELPER, [], {
      execArgv: ["--import", REGISTER, ...this.nodeOptions],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      serialization: "advanced",
    });
    proc.on("message", (m: ShellReply) => {
      const p = this.pending.get(m.id);
      if (m.type === "line") return p?.onLine?.(m.line);
      this.pending.delete(m.id);
      p?.done(m.exit);
    });
    proc.on("error", () => {
      /* a send to a helper that just died: its exit reports it */
    });
    proc.once("exit", (code, signal) => {
      if (this.proc === proc) this.proc = undefined;
      // Every job it had is lost with it: each fails, none hangs. (Only its own: a job
      // may already have gone to the next helper, started once this one disconnected.)
      const why = `the process that starts shell tasks died (${signal ? `signal ${signal}` : `exit code ${code}`})`;
      for (const [id, p] of this.pending) {
        if (p.proc !== proc) continue;
        this.pending.delete(id);
        p.done({ code: null, signal, lost: why, output: "", usage: { lane: "shell" } });
      }
    });
    this.proc = proc;
    return proc;
  }

  run(argv: string[], cwd: string, onLine?: (line: string) => void): Promise<ShellExit> {
    if (this.closed) return Promise.resolve({ code: null, signal: null, lost: "the run is closing", output: "", usage: {} });
    const id = this.next++;
    const proc = this.helper();
    return new Promise((resolve) => {
      this.pending.set(id, { proc, done: resolve, onLine });
      const req: ShellRequest = { type: "run", id, argv, cwd, live: !!onLine };
      try {
        proc.send(req);
      } catch {
        /* the helper died between the check and the send: its exit fails this job */
      }
    });
  }

  /** Ends the helper; it ends the tasks still running (SIGTERM, as execa's cleanup did). */
  async close(): Promise<void> {
    this.closed = true;
    const proc = this.proc;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise<void>((res) => proc.once("exit", () => res()));
    try {
      proc.send({ type: "close" } satisfies ShellRequest);
    } catch {
      /* already gone */
    }
    await Promise.race([exited, new Promise((res) => setTimeout(res, 1000))]);
    proc.kill("SIGKILL");
  }
}

/** Signals an interrupt sends (Ctrl-C reaches the whole process group): a task killed by one is reported as interrupted, not failed. */
const INTERRUPTS = new Set(["SIGINT", "SIGTERM", "SIGHUP"]);

export async function runShell(job: Execution, runner: ShellRunner, onLine?: (line: string) => void): Promise<ExecutionResult> {
  let argv: string[];
  try {
    argv = expandArgv(job);
  } catch (e) {
    return { ok: false, reason: "task-failed", message: (e as Error).message, output: "" };
  }
  const cmd = argv[0]!;
  const r = await runner.run(argv, job.root, job.live ? onLine : undefined);
  const output = r.output;
  if (r.code === 0 && !r.startError && !r.lost) return { ok: true, usage: r.usage, output };
  if (r.lost) return { ok: false, reason: r.signal && INTERRUPTS.has(r.signal) ? "interrupted" : "crashed", message: `${cmd}: ${r.lost}`, output };
  if (r.startError)
    return { ok: false, reason: "task-failed", message: `${cmd} failed (could not start: ${r.startError.code ?? r.startError.message})`, output };
  const tail = output.trim().split("\n").slice(-5).join("\n");
  const why = r.signal ? `killed by ${r.signal}` : `exit code ${r.code}`;
  const reason = r.signal && INTERRUPTS.has(r.signal) ? "interrupted" : "task-failed";
  return { ok: false, reason, message: `${cmd} failed (${why})${tail ? `: ${tail}` : ""}`, usage: r.usage, output };
}
