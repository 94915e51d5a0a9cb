// One writer at a time per workspace. The lock file names its holder (pid, host, start,
// command, a random token). It is created atomically with its whole content: written to
// a private temp file, then link()ed to the lock name, which fails if a lock exists — so
// there is never an empty or half-written lock to misread (proper-lockfile's approach,
// without its mtime heartbeat: a holder here is judged by its pid on its own host).
// A lock whose holder is gone (same host, pid not alive) is taken over; a holder on
// another host is never judged dead from here.
import { writeFileSync, readFileSync, unlinkSync, mkdirSync, linkSync, renameSync } from "node:fs";
import { dirname } from "node:path";
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { FlowError } from "../errors.js";
import { processAlive } from "./process.js";
import { tempSibling } from "./temp.js";

export interface LockInfo {
  pid: number;
  host: string;
  start: string;
  command: string;
  token?: string;
}

function readRaw(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

function parseLock(raw: string): LockInfo | undefined {
  try {
    const v = JSON.parse(raw);
    return v && typeof v.pid === "number" && typeof v.host === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}

export function readLock(file: string): LockInfo | undefined {
  const raw = readRaw(file);
  return raw === undefined ? undefined : parseLock(raw);
}

function holderGone(h: LockInfo): boolean {
  return h.host === hostname() && h.pid !== process.pid && !processAlive(h.pid);
}

export class Lock {
  private token?: string;
  private readonly onExit = () => this.release();
  constructor(readonly file: string) {}

  acquire(command: string): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const token = randomBytes(8).toString("hex");
    const info: LockInfo = { pid: process.pid, host: hostname(), start: new Date().toISOString(), command, token };
    const mine = tempSibling(this.file);
    writeFileSync(mine, JSON.stringify(info));
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          linkSync(mine, this.file);
          this.token = token;
          // process.exit() (an interrupt, the CLI's end) still releases the lock
          process.on("exit", this.onExit);
          return;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        }
        const raw = readRaw(this.file);
        if (raw === undefined) continue; // released between our link and this read
        const holder = parseLock(raw);
        if (holder && !holderGone(holder)) {
          throw new FlowError(
            "lock-held",
            `workspace is locked by '${holder.command}' (pid ${holder.pid} on ${holder.host}, since ${holder.start}); ` +
              `wait for it to finish, or remove ${this.file} if that process is gone`,
          );
        }
        // A dead holder, or a lock flow cannot have written (empty or not JSON: flow's
        // locks appear whole, by link()): remove it and try again.
        this.removeStale(raw);
      }
      throw new FlowError("lock-held", `could not take the lock ${this.file} (it changed hands repeatedly)`);
    } finally {
      try {
        unlinkSync(mine);
      } catch {
        /* already gone */
      }
    }
  }

  /**
   * Removes a dead holder's lock without ever removing a live one: the lock is renamed
   * aside (atomic; only one of several racers gets it), and if what was moved is not
   * the dead holder's (someone took over in between), it is put back.
   */
  private removeStale(deadRaw: string) {
    const aside = tempSibling(this.file);
    try {
      renameSync(this.file, aside);
    } catch {
      return; // someone else moved it first
    }
    if (readRaw(aside) === deadRaw) {
      try {
        unlinkSync(aside);
      } catch {
        /* gone */
      }
      return;
    }
    try {
      linkSync(aside, this.file); // a live lock moved by mistake: back it goes
    } catch {
      /* a third racer took the free slot within microseconds: it holds the lock now */
    }
    try {
      unlinkSync(aside);
    } catch {
      /* gone */
    }
  }

  release() {
    if (!this.token) return;
    const h = readLock(this.file);
    if (h?.token === this.token) {
      try {
        unlinkSync(this.file);
      } catch {
        /* gone */
      }
    }
    this.token = undefined;
    process.off("exit", this.onExit);
  }
}
