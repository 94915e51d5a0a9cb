// One writer at a time per workspace. The lock file names its holder; a lock whose
// process is gone (same host, pid not alive) is taken over, so a killed run never
// blocks the next one.
import { openSync, writeSync, closeSync, readFileSync, unlinkSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { hostname } from "node:os";
import { FlowError } from "../errors.js";

export interface LockInfo { pid: number; host: string; start: string; command: string }

/** Whether a process with this pid exists on this host (EPERM: it does, not ours). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function readLock(file: string): LockInfo | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

export class Lock {
  private held = false;
  constructor(readonly file: string) {}

  acquire(command: string): void {
    mkdirSync(dirname(this.file), { recursive: true });
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(this.file, "wx");
        const info: LockInfo = { pid: process.pid, host: hostname(), start: new Date().toISOString(), command };
        writeSync(fd, JSON.stringify(info));
        closeSync(fd);
        this.held = true;
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      }
      const holder = readLock(this.file);
      const stale = !holder || (holder.host === hostname() && !processAlive(holder.pid));
      if (stale) {
        // A torn lock (crash between create and write) or a dead holder: take it over.
        try { unlinkSync(this.file); } catch { /* someone else took it over */ }
        continue;
      }
      throw new FlowError("lock-held",
        `workspace is locked by '${holder.command}' (pid ${holder.pid} on ${holder.host}, since ${holder.start}); ` +
        `wait for it to finish, or remove ${this.file} if that process is gone`);
    }
    throw new FlowError("lock-held", `could not take the lock ${this.file}`);
  }

  release() {
    if (!this.held) return;
    try { unlinkSync(this.file); } catch { /* gone */ }
    this.held = false;
  }
}
