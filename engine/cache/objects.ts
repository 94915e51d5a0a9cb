// Content-addressed object store: cache/objects/ab/abcdef… holds a file whose sha256 is
// its name. Objects are written to a temp name and renamed, so a crash leaves either
// nothing or a complete object; they are read-only (0444), so nobody edits one by
// accident (root is not stopped by that: a restore checks every object's fingerprint,
// local-cache.ts). No fsync: an object torn by a power cut fails that check and is
// recomputed; fsync cost a fifth of the time of a trivial node.
import { renameSync, existsSync, unlinkSync, readdirSync, statSync, chmodSync } from "node:fs";
import { join, dirname } from "node:path";
import { tempSibling, sweepTemps, inFolder } from "../host/temp.js";
import { copyHashing } from "../hash/sha256.js";

/**
 * How a restore puts an object into the workspace:
 * - copy: a writable copy (the default);
 * - hardlink: the object itself (stored once; read-only); falls back to a copy across file
 *   systems. A task never gets such a file as an input it could write into: it reads a
 *   private copy (Cache.taskInputs);
 * - reflink: a copy-on-write clone where the file system can (btrfs, XFS), else a copy.
 */
export type LinkMode = "copy" | "hardlink" | "reflink";
export const LINK_MODES: LinkMode[] = ["copy", "hardlink", "reflink"];

export class ObjectStore {
  constructor(readonly dir: string) {}

  path(hash: string) {
    return join(this.dir, hash.slice(0, 2), hash);
  }

  has(hash: string) {
    return existsSync(this.path(hash));
  }

  /**
   * Moves (or, across file systems, copies) a finished file into the store under its
   * known hash. An object already there is replaced, not trusted: it may be a corrupt
   * copy, and the file in hand was hashed just now. A failure (a full disk) leaves no
   * temp file behind. Returns the object's path.
   */
  put(file: string, hash: string): string {
    const dest = this.path(hash);
    const tmp = tempSibling(dest);
    try {
      try {
        inFolder(dirname(dest), () => renameSync(file, tmp));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EXDEV") throw e;
        const got = copyHashing(file, tmp);
        if (got !== hash) throw new Error(`${file} changed while it was stored (hash ${got.slice(0, 12)}, expected ${hash.slice(0, 12)})`);
      }
      chmodSync(tmp, 0o444);
      renameSync(tmp, dest);
      return dest;
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        /* never written */
      }
      throw e;
    }
  }

  /** Every object hash in the store (for gc). */
  *list(): Generator<string> {
    let shards: string[];
    try {
      shards = readdirSync(this.dir);
    } catch {
      return;
    }
    for (const s of shards) {
      if (!/^[0-9a-f]{2}$/.test(s)) continue;
      for (const f of readdirSync(join(this.dir, s))) if (/^[0-9a-f]{64}$/.test(f)) yield f;
    }
  }

  /** Removes temp files of writers that are gone (a put killed mid-copy, a full disk). */
  sweepStrays(): number {
    let n = 0;
    let shards: string[];
    try {
      shards = readdirSync(this.dir);
    } catch {
      return 0;
    }
    for (const s of shards) if (/^[0-9a-f]{2}$/.test(s)) n += sweepTemps(join(this.dir, s));
    return n;
  }

  remove(hash: string) {
    try {
      unlinkSync(this.path(hash));
    } catch {
      /* gone */
    }
  }

  size(hash: string) {
    return statSync(this.path(hash)).size;
  }
}
