// Write-then-rename: a reader (or a crash) sees the old file or the new one, never half.
import { writeFileSync, renameSync, mkdirSync, openSync, fsyncSync, closeSync, unlinkSync, readdirSync, rmSync } from "node:fs";
import { dirname, basename, join } from "node:path";
import { processAlive } from "../lock/lock.js";
import { randomBytes } from "node:crypto";

export function tempSibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
}

const TEMP = /^\.(.+)\.tmp-(\d+)-[0-9a-f]{8}$/;

/** Removes temp siblings (see tempSibling) left in `dir` by processes that are gone. */
export function sweepTemps(dir: string): number {
  let n = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const f of names) {
    const m = TEMP.exec(f);
    if (m && Number(m[2]) !== process.pid && !processAlive(Number(m[2]))) {
      try {
        rmSync(join(dir, f), { recursive: true, force: true });
        n++;
      } catch { /* gone */ }
    }
  }
  return n;
}

export function writeFileAtomic(path: string, data: string | Uint8Array, opts: { fsync?: boolean } = {}) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempSibling(path);
  try {
    writeFileSync(tmp, data);
    if (opts.fsync) {
      const fd = openSync(tmp, "r");
      try { fsyncSync(fd); } finally { closeSync(fd); }
    }
    renameSync(tmp, path);
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw e;
  }
}
