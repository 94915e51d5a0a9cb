// Content-addressed object store: cache/objects/ab/abcdef… holds a file whose sha256
// is its name. Objects are written to a temp name and renamed, so a crash leaves either
// nothing or a complete object; every restore re-hashes while it copies. (No fsync: an
// object torn by a power cut fails that re-hash and is recomputed; fsync cost a fifth
// of the time of a trivial node.)
import { createHash } from "node:crypto";
import {
  mkdirSync,
  renameSync,
  existsSync,
  unlinkSync,
  openSync,
  readSync,
  writeSync,
  closeSync,
  readdirSync,
  statSync,
  chmodSync,
  linkSync,
  copyFileSync,
  constants,
} from "node:fs";
import { join, dirname } from "node:path";
import { tempSibling, sweepTemps, inFolder } from "./atomic.js";

const CHUNK = 4 << 20;

/**
 * How a restore puts an object into the workspace:
 * - copy: a writable copy, every byte re-hashed on the way (the default);
 * - hardlink: the object itself (stored once; read-only, 0444 — root ignores that, so
 *   never edit such an output in place); falls back to a copy across file systems;
 * - reflink: a copy-on-write clone where the file system can (btrfs, XFS), else a copy;
 *   re-hashed like a copy.
 */
export type LinkMode = "copy" | "hardlink" | "reflink";
export const LINK_MODES: LinkMode[] = ["copy", "hardlink", "reflink"];

export class ObjectStore {
  /**
   * Objects this process has just put from a file it hashed itself. The restore that
   * follows a run (moments later, same process) copies such an object in the kernel
   * without hashing it again: it is 0444, ours, and was hashed milliseconds ago, so a
   * second full read and sha256 of every output only cost the head CPU. Every other
   * restore (another run, a SLURM job's results, a shared cache) is verified. Used once.
   */
  private readonly fresh = new Set<string>();
  /** restores verified by re-hashing, and those trusted as just stored (for tests) */
  readonly restores = { verified: 0, fresh: 0 };

  constructor(readonly dir: string) {}

  path(hash: string) {
    return join(this.dir, hash.slice(0, 2), hash);
  }

  has(hash: string) {
    return existsSync(this.path(hash));
  }

  /**
   * Moves (or copies) a finished file into the store under its known hash. An object
   * already there is replaced, not trusted: it may be a corrupt copy that a restore
   * would refuse, and the file in hand was hashed just now. A failure (a full disk)
   * leaves no temp file behind.
   */
  put(file: string, hash: string) {
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
      this.fresh.add(hash);
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        /* never written */
      }
      throw e;
    }
  }

  /**
   * Copies an object to `dest` (atomically), hashing on the way. A mismatch means the
   * object is corrupt: it is deleted and false returned, the destination untouched.
   */
  restore(hash: string, dest: string, mode: LinkMode = "copy"): boolean {
    const src = this.path(hash);
    if (!existsSync(src)) return false;
    if (!existsSync(dirname(dest))) mkdirSync(dirname(dest), { recursive: true });
    const tmp = tempSibling(dest);
    if (mode === "hardlink") {
      try {
        linkSync(src, tmp);
        renameSync(tmp, dest);
        this.fresh.delete(hash);
        return true;
      } catch (e) {
        try {
          unlinkSync(tmp);
        } catch {
          /* not made */
        }
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== "EXDEV" && code !== "EPERM" && code !== "EMLINK" && code !== "ENOTSUP") throw e;
        // another file system (or links refused): a verified copy instead
      }
    }
    const fresh = this.fresh.delete(hash); // just stored from a file this process hashed: no second hash
    let got: string | undefined;
    try {
      if (fresh || mode === "reflink") {
        copyFileSync(src, tmp, constants.COPYFILE_FICLONE); // a clone where the file system can, else a kernel copy
        chmodSync(tmp, 0o644);
        if (!fresh) got = hashFile(tmp);
      } else got = copyHashing(src, tmp);
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        /* nothing written */
      }
      throw e;
    }
    this.restores[fresh ? "fresh" : "verified"]++;
    if (!fresh && got !== hash) {
      unlinkSync(tmp);
      try {
        unlinkSync(src);
      } catch {
        /* already gone */
      }
      return false;
    }
    renameSync(tmp, dest);
    return true;
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

function hashFile(path: string): string {
  const h = createHash("sha256");
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (let n = readSync(fd, buf, 0, CHUNK, null); n > 0; n = readSync(fd, buf, 0, CHUNK, null)) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest("hex");
}

function copyHashing(src: string, dest: string): string {
  const h = createHash("sha256");
  const inFd = openSync(src, "r");
  const outFd = openSync(dest, "w", 0o644);
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const n = readSync(inFd, buf, 0, CHUNK, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
      let off = 0;
      while (off < n) off += writeSync(outFd, buf, off, n - off);
    }
  } finally {
    closeSync(inFd);
    closeSync(outFd);
  }
  return h.digest("hex");
}
