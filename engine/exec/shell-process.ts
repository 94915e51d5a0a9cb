// The helper process that starts shell tasks for the head (see shell.ts for why). It
// runs each requested argv, keeps the tail of its merged output (bounded: a task that
// prints 600 MB holds 64 kB here), forwards complete lines when the head follows live,
// samples its /proc usage, and answers with the exit. It holds no state of the run: if
// it dies, the head fails the jobs it had and starts another.
import { spawn, type ChildProcess } from "node:child_process";
import type { Usage } from "../model/usage.js";
import { sample, type ProcSample } from "./proc-usage.js";
import { LiveLines, OutputTail } from "./output-tail.js";

export type ShellRequest = { type: "run"; id: number; argv: string[]; cwd: string; live?: boolean } | { type: "close" };
export interface ShellExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** set when the program could not be started at all (ENOENT, EACCES, E2BIG) */
  startError?: { code?: string; message: string };
  /** set (by the head) when this helper died with the job: why */
  lost?: string;
  /** the tail of what it printed */
  output: string;
  usage: Usage;
}
export type ShellReply = { type: "exit"; id: number; exit: ShellExit } | { type: "line"; id: number; line: string };

const running = new Set<ChildProcess>();

const send = (m: ShellReply, done: () => void = () => {}) => {
  if (!process.connected) return done();
  try {
    process.send!(m, () => done());
  } catch {
    done();
  }
};

function runOne(id: number, argv: string[], cwd: string, follow: boolean): Promise<ShellExit> {
  return new Promise((resolve) => {
    const [cmd, ...args] = argv;
    let child: ChildProcess;
    try {
      child = spawn(cmd!, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      // spawn() throws for arguments it refuses outright (a NUL byte in one)
      const err = e as NodeJS.ErrnoException;
      return resolve({ code: null, signal: null, startError: { code: err.code, message: err.message }, output: "", usage: {} });
    }
    running.add(child);
    const tail = new OutputTail();
    const live = follow ? new LiveLines((line, done) => send({ type: "line", id, line }, done)) : undefined;
    const take = (b: Buffer) => {
      const lines = tail.push(b.toString("utf8"));
      live?.push(lines);
    };
    child.stdout!.on("data", take);
    child.stderr!.on("data", take);
    // Sampled every 100 ms while it runs: its last sample and its highest peak (a task
    // that ends within one interval has none; its usage stays unknown).
    let last: ProcSample = {};
    let hwm = 0;
    const timer = setInterval(() => {
      if (child.pid === undefined) return;
      const s = sample(child.pid);
      if (s.cpuMs !== undefined) last = s;
      hwm = Math.max(hwm, s.hwmKb ?? 0);
    }, 100);
    let startError: ShellExit["startError"];
    child.on("error", (e: NodeJS.ErrnoException) => (startError = { code: e.code, message: e.message }));
    // 'close' comes after 'exit' and after both pipes ended (or after 'error' when the
    // program never started), so the output is whole.
    child.on("close", (code, signal) => {
      clearInterval(timer);
      running.delete(child);
      resolve({
        code,
        signal,
        startError,
        output: tail.text(),
        usage: {
          lane: "shell",
          cpuMs: last.cpuMs,
          maxRssMb: hwm ? Math.round(hwm / 1024) : undefined,
          readBytes: last.rchar,
          writeBytes: last.wchar,
        },
      });
    });
  });
}

function endTasks() {
  for (const c of running) c.kill("SIGTERM");
}

// Ctrl-C reaches the whole process group, the tasks included: the head decides what
// the run does, so this helper keeps answering until the head closes it.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => {});

process.on("message", (m: ShellRequest) => {
  if (m.type === "close") {
    endTasks();
    process.exit(0);
  }
  void runOne(m.id, m.argv, m.cwd, !!m.live).then((exit) => send({ type: "exit", id: m.id, exit }));
});
// The head died (kill -9): nobody will collect these tasks' results.
process.on("disconnect", () => {
  endTasks();
  process.exit(0);
});
