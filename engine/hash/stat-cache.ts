// The stat cache: path → (size, mtime, ctime, inode) → content hash, so an unchanged file
// is never read twice — `flow status` over 150 GB of NWB stats files, it does not read
// them. The same rule serves as the fingerprint of a cache object: an object whose stat
// is the one recorded when its bytes were last hashed is trusted without a read; any
// change (a write, `touch -r`, a new link) means it is read and hashed again.
import { readFileSync, statSync, type Stats } from "node:fs";
import { stat } from "node:fs/promises";
import { writeFileAtomic } from "../host/temp.js";
import { hashFile } from "./sha256.js";
import type { HashThreads } from "./hash-threads.js";
import { DigestNotes } from "./digest-notes.js";
import type { Warn } from "../host/records.js";

/** From this size on, a file is hashed in a thread (below it one read here is cheaper than the round trip). */
export const THREAD_MIN_BYTES = 16 << 20;

interface StatEntry {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  hash: string;
}

const validEntry = (e: unknown): e is StatEntry => {
  const x = e as StatEntry;
  return !!x && typeof x.hash === "string" && /^[0-9a-f]{64}$/.test(x.hash) && [x.size, x.mtimeMs, x.ctimeMs, x.ino].every(Number.isFinite);
};

/** Whether a file's stat is the one recorded (size, mtime, ctime and inode all equal). */
export function sameStat(e: Pick<StatEntry, "size" | "mtimeMs" | "ctimeMs" | "ino"> | undefined, st: Stats): boolean {
  return !!e && e.size === st.size && e.mtimeMs === st.mtimeMs && e.ctimeMs === st.ctimeMs && e.ino === st.ino;
}

const entryOf = (st: Stats, hash: string): StatEntry => ({ size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, hash });

export class StatCache {
  private entries: Record<string, StatEntry> = {};
  private dirty = false;
  /** files being hashed in a thread */
  private hashing = new Map<string, Promise<string | undefined>>();
  private notes: DigestNotes;

  constructor(
    private readonly file: string,
    private readonly threads: HashThreads,
    warn?: Warn,
  ) {
    this.notes = new DigestNotes(warn);
    try {
      const data = JSON.parse(readFileSync(file, "utf8"));
      if (data && data.version === 1 && typeof data.entries === "object") {
        // a bad entry (another version, an edit) is only a cache miss
        for (const [p, e] of Object.entries(data.entries as Record<string, unknown>)) if (validEntry(e)) this.entries[p] = e;
      }
    } catch {
      // missing or unreadable: start empty (it is only a cache)
    }
  }

  private stat(path: string): Stats | undefined {
    try {
      const st = statSync(path);
      return st.isFile() ? st : undefined;
    } catch {
      return undefined;
    }
  }

  /** The hash a matching entry or digest note gives, without reading the file. */
  private known(path: string, st: Stats): string | undefined {
    const e = this.entries[path];
    if (sameStat(e, st)) return e!.hash;
    const noted = this.notes.lookup(path, st);
    if (noted !== undefined) this.record(path, st, noted);
    return noted;
  }

  private record(path: string, st: Stats, hash: string) {
    this.entries[path] = entryOf(st, hash);
    this.dirty = true;
  }

  /** Records the hash of bytes read while the file had stat `st`, unless it changed while they were read. */
  private afterRead(path: string, st: Stats, hash: string) {
    const after = this.stat(path);
    if (after && sameStat(entryOf(st, hash), after)) this.record(path, st, hash);
  }

  /** The file's hash, read here only if its stat changed; undefined if it is not a regular file. */
  hash(path: string): string | undefined {
    const st = this.stat(path);
    if (!st) return undefined;
    const k = this.known(path, st);
    if (k !== undefined) return k;
    const hash = hashFile(path);
    this.afterRead(path, st, hash);
    return hash;
  }

  /** As hash(), but a large file is read in a hash thread: the event loop goes on. Rejects if the file cannot be read. */
  async hashAsync(path: string): Promise<string | undefined> {
    const st = this.stat(path);
    if (!st) return undefined;
    const k = this.known(path, st);
    if (k !== undefined) return k;
    if (st.size < THREAD_MIN_BYTES) return this.hash(path);
    let p = this.hashing.get(path);
    if (!p) {
      p = this.threads
        .hash(path)
        .then(async ({ hash }) => {
          const after = await stat(path);
          if (sameStat(entryOf(st, hash), after)) this.record(path, st, hash);
          return hash;
        })
        .finally(() => this.hashing.delete(path));
      this.hashing.set(path, p);
    }
    return p;
  }

  /**
   * Starts hashing a large file that a node will soon need (a run calls it for the nodes
   * next in line), so hash() then finds it. Undefined when there is nothing to do (small,
   * missing or known). Never rejects: a file that cannot be read is said so when its node
   * is assessed.
   */
  warm(path: string): Promise<void> | undefined {
    const st = this.stat(path);
    if (!st || st.size < THREAD_MIN_BYTES || this.known(path, st) !== undefined) return undefined;
    return this.hashAsync(path).then(
      () => undefined,
      () => undefined,
    );
  }

  /** The hash recorded for the path if its stat still matches, without reading it. */
  peek(path: string): string | undefined {
    const st = this.stat(path);
    return st ? this.known(path, st) : undefined;
  }

  /** Records a hash we know for the file as it is now (one we just wrote or verified). */
  remember(path: string, hash: string, st = statSync(path)) {
    this.record(path, st, hash);
  }

  /** Drops what is known of a path (a file that turned out not to hold its recorded bytes). */
  forget(path: string) {
    if (this.entries[path]) {
      delete this.entries[path];
      this.dirty = true;
    }
  }

  save() {
    if (!this.dirty) return;
    writeFileAtomic(this.file, JSON.stringify({ version: 1, entries: this.entries }));
    this.dirty = false;
  }
}
