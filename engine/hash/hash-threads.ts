// sha256 of large files in threads of the head's own process. A cold run must hash every
// input once (58 NWB files of 1–3 GB at the real scale), and every large
// output it stores or restores: on the head's main thread that was one file at a time,
// and everything else the head does — handing out work — waited. A thread reads and
// hashes a whole file (copying it on the way, for a verified restore) with no round trip
// to the event loop; two run at once.
import { Worker } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import { countRead } from "./sha256.js";

const LOOP = fileURLToPath(new URL("./sha256-loop.cjs", import.meta.url));

/** Runs in each thread: plain CommonJS, the same loop as the main thread's. */
const THREAD_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { hashFile } = require(workerData.loop);
parentPort.on("message", ({ id, path, dest }) => {
  try {
    parentPort.postMessage({ id, ...hashFile(path, dest) });
  } catch (e) {
    parentPort.postMessage({ id, error: e && e.message ? e.message : String(e) });
  }
});
`;

interface Pending {
  resolve: (r: { hash: string; bytes: number }) => void;
  reject: (e: Error) => void;
}

export class HashThreads {
  private idle: Worker[] = [];
  private all: Worker[] = [];
  private waiting: { path: string; dest?: string; p: Pending }[] = [];
  private pending = new Map<number, { worker: Worker; p: Pending }>();
  private nextId = 0;

  constructor(private readonly size: number) {}

  /** The file's sha256 and how many bytes were read; rejects if it cannot be read. */
  hash(path: string): Promise<{ hash: string; bytes: number }> {
    return this.submit(path);
  }

  /** Copies `path` to `dest` (mode 0644) and gives the sha256 of the bytes copied. */
  copy(path: string, dest: string): Promise<{ hash: string; bytes: number }> {
    return this.submit(path, dest);
  }

  private submit(path: string, dest?: string): Promise<{ hash: string; bytes: number }> {
    return new Promise((resolve, reject) => {
      this.waiting.push({
        path,
        dest,
        p: {
          resolve: (r) => {
            countRead(r.bytes);
            resolve(r);
          },
          reject,
        },
      });
      this.dispatch();
    });
  }

  private dispatch() {
    while (this.waiting.length) {
      let w = this.idle.pop();
      if (!w && this.all.length < this.size) w = this.spawn();
      if (!w) return;
      const { path, dest, p } = this.waiting.shift()!;
      const id = this.nextId++;
      this.pending.set(id, { worker: w, p });
      w.ref(); // a hash in flight keeps the process alive; an idle thread does not
      w.postMessage({ id, path, dest });
    }
  }

  private spawn(): Worker {
    const w = new Worker(THREAD_SOURCE, { eval: true, workerData: { loop: LOOP } });
    w.on("message", (m: { id: number; hash?: string; bytes?: number; error?: string }) => {
      const job = this.pending.get(m.id);
      if (!job) return;
      this.pending.delete(m.id);
      w.unref();
      this.idle.push(w);
      if (m.error !== undefined) job.p.reject(new Error(m.error));
      else job.p.resolve({ hash: m.hash!, bytes: m.bytes! });
      this.dispatch();
    });
    w.on("error", (e) => this.fail(w, e));
    w.on("exit", (code) => this.fail(w, new Error(`hash thread exited (${code})`)));
    w.unref();
    this.all.push(w);
    return w;
  }

  /** A thread that died fails what it held; the next hash starts a new one. */
  private fail(w: Worker, e: Error) {
    this.all = this.all.filter((x) => x !== w);
    this.idle = this.idle.filter((x) => x !== w);
    for (const [id, job] of this.pending) {
      if (job.worker !== w) continue;
      this.pending.delete(id);
      job.p.reject(e);
    }
    this.dispatch();
  }

  /**
   * Ends every thread and drops the files still waiting (a run calls it when done: what
   * it queued ahead for nodes that will not run now must not start a thread after it).
   * A later hash() starts new threads.
   */
  async close() {
    const all = this.all;
    const waiting = this.waiting;
    this.all = [];
    this.idle = [];
    this.waiting = [];
    for (const { p } of waiting) p.reject(new Error("hash threads closed"));
    await Promise.all(all.map((w) => w.terminate()));
  }
}
