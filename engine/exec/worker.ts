// A worker process: runs TypeScript task modules on request from the pool, one at a
// time. A crash or OOM here fails the node it was running, never the whole run. What the
// task prints is bounded here (exec/output-tail.ts) and sent with the result; with
// `live`, its lines also go to the head as they come.
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { TaskError, type TaskModule } from "../api/task.js";
import { declarationMismatch, declaredParams } from "../api/declaration.js";
import { FLOW_VERSION } from "../version.js";
import type { Execution } from "./executor.js";
import type { Usage } from "../model/usage.js";
import { between, resetPeak, sample } from "./proc-usage.js";
import { LiveLines, OutputTail } from "./output-tail.js";

type Msg = { type: "run"; job: Execution } | { type: "preload"; modules: string[] };

/** Sends to the head; once the head is gone there is no one to tell, and nothing to print. */
const send = (m: unknown, done: () => void = () => {}) => {
  if (!process.connected) return done();
  try {
    process.send!(m, () => done());
  } catch {
    done();
  }
};
const sent = (m: unknown) => new Promise<void>((res) => send(m, res));

// What a task prints (console.log, process.stdout.write) is its output: kept (bounded)
// for the result, and — when the head follows live — sent over the same channel as the
// result, so no line can arrive after "done".
let tail = new OutputTail();
let live: LiveLines | undefined;
const capture = (stream: NodeJS.WriteStream) => {
  stream.write = ((chunk: string | Uint8Array, enc?: unknown, cb?: unknown) => {
    const lines = tail.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    live?.push(lines);
    const done = typeof enc === "function" ? enc : cb;
    if (typeof done === "function") (done as () => void)();
    return true;
  }) as typeof stream.write;
};
capture(process.stdout);
capture(process.stderr);

// Ctrl-C reaches the whole process group: the head decides what happens (it kills its
// workers), so a worker never dies half-way on its own and reports a false failure.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => {});

async function runJob(job: Execution): Promise<void> {
  if (!("module" in job.run)) throw new Error("worker got a shell job");
  const mod = await import(pathToFileURL(resolve(job.root, job.run.module)).href);
  const task: TaskModule = mod.default ?? mod;
  if (typeof task.run !== "function") throw new Error(`${job.run.module} has no default export with run()`);
  const wrong = declarationMismatch(task.declared, job);
  if (wrong) throw new TaskError(`${job.run.module} does not match pipeline.yaml: ${wrong}`);
  await task.run({
    node: job.node,
    key: job.key,
    params: declaredParams(task.declared, job.params),
    inputs: job.inputs,
    inputHashes: job.inputHashes,
    outputs: job.outputs,
    root: job.root,
    flowVersion: FLOW_VERSION,
    log: (message) => {
      const lines = tail.line(message);
      live?.push(lines);
    },
  });
}

process.on("message", async (m: Msg) => {
  if (m.type === "preload") {
    // Import ahead of the first job; a module that fails to load fails its job later.
    for (const mod of m.modules) await import(pathToFileURL(mod).href).catch(() => undefined);
    return;
  }
  if (m.type !== "run") return;
  const { job } = m;
  tail = new OutputTail();
  live = job.live ? new LiveLines((line, done) => send({ type: "log", line }, done)) : undefined;
  resetPeak();
  const before = sample("self");
  const usage = (): Usage => ({ ...between(before, sample("self")), lane: `worker ${process.pid}` });
  try {
    await runJob(job);
    await sent({ type: "done", result: { ok: true, usage: usage(), output: tail.text() } });
  } catch (e) {
    const err = e as Error & { expected?: boolean };
    await sent({
      type: "done",
      result: {
        ok: false,
        reason: "task-failed",
        message: err?.message ?? String(e),
        detail: err?.expected ? undefined : err?.stack,
        usage: usage(),
        output: tail.text(),
      },
    });
  }
});
// The head process died (kill -9, OOM): stop, rather than finish a job nobody will collect.
process.on("disconnect", () => process.exit(0));
void sent({ type: "ready" });
