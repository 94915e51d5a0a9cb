// Content hashes of files, and a stat cache (path, size, mtime, ctime, inode → hash)
// so an unchanged file is never read twice: `flow status` over 150 GB of NWB stats
// files, it does not read them.
import { createHash } from "node:crypto";
import { openSync, readSync, closeSync, statSync, readFileSync, type Stats } from "node:fs";
import { stat } from "node:fs/promises";
import { writeFileAtomic } from "../store/atomic.js";
import { HashThreads } from "./hash-threads.js";
import { DigestNotes } from "./digest-notes.js";

const CHUNK = 4 << 20;

/** Counts real file reads, so tests can prove that status reads nothing. */
export const hashCounter = { files: 0, bytes: 0 };

export function hashFile(path: string): string {
  const h = createHash("sha256");
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
      hashCounter.bytes += n;
    }
  } finally {
    closeSync(fd);
  }
  hashCounter.files++;
  return h.digest("hex");
}

/** From this size on, warm() hashes a file asynchronously (below it one read is cheaper than the round trips). */
const WARM_MIN_BYTES = 16 << 20;

interface StatEntry {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  hash: string;
}

export class StatCache {
  private entries: Record<string, StatEntry> = {};
  private dirty = false;
  /** files being hashed by warm(), in two threads (hash-threads.ts) */
  private warming = new Map<string, Promise<void>>();
  private threads = new HashThreads(2);
  private notes = new DigestNotes();

  constructor(private readonly file: string) {
    try {
      const data = JSON.parse(readFileSync(file, "utf8"));
      if (data && data.version === 1 && typeof data.entries === "object") this.entries = data.entries;
    } catch {
      // missing or unreadable: start empty (it is only a cache)
    }
  }

  private static same(e: StatEntry | undefined, st: Stats) {
    return !!e && e.size === st.size && e.mtimeMs === st.mtimeMs && e.ctimeMs === st.ctimeMs && e.ino === st.ino;
  }

  /** The file's hash, read only if its stat changed; undefined if it does not exist. */
  hash(path: string): string | undefined {
    let st: Stats;
    try {
      st = statSync(path);
    } catch {
      return undefined;
    }
    if (!st.isFile()) return undefined;
    const e = this.entries[path];
    if (StatCache.same(e, st)) return e!.hash;
    if (this.fromNote(path, st)) return this.entries[path]!.hash;
    const hash = hashFile(path);
    // Re-stat: if the file changed while we read it, do not trust the hash next time.
    const after = statSync(path);
    if (after.mtimeMs === st.mtimeMs && after.size === st.size) {
      this.entries[path] = { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, hash };
      this.dirty = true;
    }
    return hash;
  }

  /**
   * Hashes a large file into the cache without blocking: hash() then finds it. A run
   * calls this before it assesses a node, and for the nodes next in line: a 1 GB input
   * takes ~1 s to hash, and done synchronously that second stopped the head from
   * handing out work — both workers waited on it, once per session. Two files at a time,
   * each in a thread of its own. Returns undefined when there is nothing to do (a small,
   * missing or already known file).
   */
  warm(path: string): Promise<void> | undefined {
    let st: Stats;
    try {
      st = statSync(path);
    } catch {
      return undefined;
    }
    if (!st.isFile() || st.size < WARM_MIN_BYTES || StatCache.same(this.entries[path], st) || this.fromNote(path, st)) return undefined;
    let p = this.warming.get(path);
    if (!p) {
      p = this.warmOne(path).finally(() => this.warming.delete(path));
      this.warming.set(path, p);
    }
    return p;
  }

  private async warmOne(path: string) {
    try {
      const st = await stat(path);
      if (StatCache.same(this.entries[path], st)) return;
      const { hash, bytes } = await this.threads.hash(path);
      hashCounter.files++;
      hashCounter.bytes += bytes;
      // as in hash(): a file that changed while it was read is not remembered
      const after = await stat(path);
      if (after.mtimeMs === st.mtimeMs && after.size === st.size) {
        this.entries[path] = { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, hash };
        this.dirty = true;
      }
    } catch {
      /* unreadable or gone: hash() says so when the node is assessed */
    }
  }

  /** Takes the hash from a digest note that matches the file's stat (digest-notes.ts) into the cache. */
  private fromNote(path: string, st: Stats): boolean {
    const hash = this.notes.lookup(path, st);
    if (hash === undefined) return false;
    this.entries[path] = { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, hash };
    this.dirty = true;
    return true;
  }

  /** Records a hash we already know (a file we just wrote from a verified object). */
  remember(path: string, hash: string) {
    const st = statSync(path);
    this.entries[path] = { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, hash };
    this.dirty = true;
  }

  /** The hash recorded for the path if its stat still matches, without reading it. */
  peek(path: string): string | undefined {
    try {
      const st = statSync(path);
      const e = this.entries[path];
      if (StatCache.same(e, st)) return e!.hash;
      return st.isFile() && this.fromNote(path, st) ? this.entries[path]!.hash : undefined;
    } catch {
      return undefined;
    }
  }

  /** Ends the hash threads (they never keep the process alive, but a run ends what it started). */
  close(): Promise<void> {
    return this.threads.close();
  }

  save() {
    if (!this.dirty) return;
    writeFileAtomic(this.file, JSON.stringify({ version: 1, entries: this.entries }));
    this.dirty = false;
  }
}
