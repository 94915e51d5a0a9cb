// Temp names and write-then-rename: a reader (or a crash) sees the old file or the new one,
// never half. The one temp naming scheme of the program: `.name.tmp-HOST-PID-RAND`, which
// says who writes it, so a sweep can tell a dead writer's leftovers from a live one's.
import {
  writeFileSync,
  renameSync,
  mkdirSync,
  openSync,
  fsyncSync,
  closeSync,
  unlinkSync,
  readdirSync,
  rmSync,
  statSync,
  fstatSync,
  readSync,
  writeSync,
} from "node:fs";
import { dirname, basename, join } from "node:path";
import { processAlive, hostTag } from "./process.js";
import { randomBytes } from "node:crypto";

/**
 * A temp name beside `path` that says who writes it: `.name.tmp-HOST-PID-RAND`. Jobs on
 * other hosts (SLURM) write into the same folders, so the pid alone does not say whether
 * the writer is alive.
 */
export function tempSibling(path: string): string {
  return join(dirname(path), tempName(basename(path)));
}

export function tempName(base: string): string {
  return `.${base}.tmp-${hostTag()}-${process.pid}-${random8()}`;
}

// 8 random hex digits from a pool refilled 512 at a time (one getrandom call each).
let pool = "";
function random8(): string {
  if (pool.length < 8) pool = randomBytes(2048).toString("hex");
  const r = pool.slice(0, 8);
  pool = pool.slice(8);
  return r;
}

const TEMP = /^\.(.+)\.tmp-(.+)-(\d+)-[0-9a-f]{8}$/;
/** A temp written on another host is swept only when it is this old (its writer cannot tell us it is gone). */
export const FOREIGN_TEMP_GRACE_MS = 24 * 3600_000;

/** Whether a temp name (see tempSibling) belongs to a writer that is gone. */
export function deadTemp(dir: string, name: string, now = Date.now()): boolean {
  const m = TEMP.exec(name);
  if (!m) return false;
  const [host, pid] = [m[2]!, Number(m[3])];
  if (host === hostTag()) return pid !== process.pid && !processAlive(pid);
  try {
    return now - statSync(join(dir, name)).mtimeMs > FOREIGN_TEMP_GRACE_MS;
  } catch {
    return false;
  }
}

/** Removes temp siblings (see tempSibling) left in `dir` by writers that are gone. */
export function sweepTemps(dir: string): number {
  let n = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  const now = Date.now();
  for (const f of names) {
    if (!deadTemp(dir, f, now)) continue;
    try {
      rmSync(join(dir, f), { recursive: true, force: true });
      n++;
    } catch {
      /* gone */
    }
  }
  return n;
}

/**
 * Runs fn; if it fails because its folder is missing (ENOENT) or a parent is not a
 * folder (ENOTDIR), makes `dir` — which fails naming the folder and the cause — and
 * runs it again. Most writes go to folders that exist, and a mkdir per write is not free.
 */
export function inFolder<T>(dir: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "ENOENT" && code !== "ENOTDIR") throw e;
    mkdirSync(dir, { recursive: true });
    return fn();
  }
}

export function writeFileAtomic(path: string, data: string | Uint8Array, opts: { fsync?: boolean } = {}) {
  const tmp = tempSibling(path);
  try {
    inFolder(dirname(path), () => writeFileSync(tmp, data));
    if (opts.fsync) {
      const fd = openSync(tmp, "r");
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw e;
  }
}

/**
 * Appends one line with a single write. On a local file system O_APPEND keeps the lines
 * of concurrent writers whole; across hosts (NFS) it does not, so a file is appended to
 * from one host only (the head writes what cluster jobs report). A line torn by a crash
 * (no newline at the end) is closed first, so it cannot swallow this one; readers skip a
 * torn last line.
 */
export function appendLine(path: string, line: string) {
  const fd = openSync(path, "a+");
  try {
    const size = fstatSync(fd).size;
    const last = Buffer.alloc(1);
    const torn = size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
    writeSync(fd, `${torn ? "\n" : ""}${line}\n`);
  } finally {
    closeSync(fd);
  }
}
