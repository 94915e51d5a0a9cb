// A worker process: runs TypeScript task modules on request from the pool, one at a
// time. A crash or OOM here fails the node it was running, never the whole run.
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { TaskError, declarationMismatch, type TaskModule } from "../task.js";
import { FLOW_VERSION } from "../version.js";
import type { Job, Usage } from "./types.js";
import { between, resetPeak, sample } from "./proc-usage.js";

type Msg = { type: "run"; job: Job } | { type: "preload"; modules: string[] };

/** Sends to the head; once the head is gone there is no one to tell, and nothing to print. */
const send = (m: unknown) =>
  new Promise<void>((res) => {
    if (!process.connected) return res();
    try {
      process.send!(m, () => res());
    } catch {
      res();
    }
  });

// What a task prints (console.log, process.stdout.write) is its output: it goes to the
// head over the same channel as the result, so no line can arrive after "done".
let partial = "";
const capture = (stream: NodeJS.WriteStream) => {
  stream.write = ((chunk: string | Uint8Array, enc?: unknown, cb?: unknown) => {
    partial += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    const lines = partial.split("\n");
    partial = lines.pop()!;
    for (const line of lines) void send({ type: "log", line });
    const done = typeof enc === "function" ? enc : cb;
    if (typeof done === "function") (done as () => void)();
    return true;
  }) as typeof stream.write;
};
capture(process.stdout);
capture(process.stderr);
const flushPartial = async () => {
  if (partial) await send({ type: "log", line: partial });
  partial = "";
};

// Ctrl-C reaches the whole process group: the head decides what happens (it kills its
// workers), so a worker never dies half-way on its own and reports a false failure.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => {});

process.on("message", async (m: Msg) => {
  if (m.type === "preload") {
    // Import ahead of the first job; a module that fails to load fails its job later.
    for (const mod of m.modules) await import(pathToFileURL(mod).href).catch(() => undefined);
    return;
  }
  if (m.type !== "run") return;
  const { job } = m;
  resetPeak();
  const before = sample("self");
  const usage = (): Usage => ({ ...between(before, sample("self")), lane: `worker ${process.pid}` });
  try {
    if (!("module" in job.run)) throw new Error("worker got a shell job");
    const mod = await import(pathToFileURL(resolve(job.root, job.run.module)).href);
    const task: TaskModule = mod.default ?? mod;
    if (typeof task.run !== "function") throw new Error(`${job.run.module} has no default export with run()`);
    const wrong = declarationMismatch(task.declared, job);
    if (wrong) throw new TaskError(`${job.run.module} does not match pipeline.yaml: ${wrong}`);
    await task.run({
      node: job.node,
      key: job.key,
      params: job.params,
      inputs: job.inputs,
      outputs: job.outputs,
      root: job.root,
      flowVersion: FLOW_VERSION,
      log: (message) => void send({ type: "log", line: message }),
    });
    await flushPartial();
    await send({ type: "done", result: { ok: true, usage: usage() } });
  } catch (e) {
    const err = e as Error & { expected?: boolean };
    await flushPartial();
    await send({
      type: "done",
      result: {
        ok: false,
        reason: "task-failed",
        message: err?.message ?? String(e),
        detail: err?.expected ? undefined : err?.stack,
        usage: usage(),
      },
    });
  }
});
// The head process died (kill -9, OOM): stop, rather than finish a job nobody will collect.
process.on("disconnect", () => process.exit(0));
void send({ type: "ready" });
