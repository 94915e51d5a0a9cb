// The cache on this machine's file systems: an object store (cache/objects) and an action
// index (cache/index, or any keyv server), with the workspace's stat cache as the record
// of what each object and each workspace file held when it was last hashed. See cache.ts
// for the guarantees; this is where they are kept.
import {
  copyFileSync,
  constants,
  chmodSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readlinkSync,
  renameSync,
  statSync,
  unlinkSync,
  existsSync,
} from "node:fs";
import { copyFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { ObjectStore, type LinkMode } from "./objects.js";
import { ActionIndex, type IndexOptions } from "./action-index.js";
import { collectGarbage } from "./gc.js";
import { tempSibling } from "../host/temp.js";
import { errnoText, errorText } from "../host/errno.js";
import { hashFile, copyHashing } from "../hash/sha256.js";
import { THREAD_MIN_BYTES, sameStat, type StatCache } from "../hash/stat-cache.js";
import type { HashThreads } from "../hash/hash-threads.js";
import { hashesOf, outputPairs, type GraphNode, type OutputHashes, type OutputPaths } from "../model/graph-node.js";
import type { Cache, CacheEntry, PurgePolicy, PurgeReport, RestoreResult, StoreResult } from "./cache.js";

export interface LocalCacheOptions extends Omit<IndexOptions, "dir"> {
  /** the cache folder: objects/ and, without a URL, index/ */
  dir: string;
  link: LinkMode;
  stat: StatCache;
  threads: HashThreads;
}

export class LocalCache implements Cache {
  readonly objects: ObjectStore;

  private constructor(
    readonly dir: string,
    readonly index: ActionIndex,
    private readonly o: LocalCacheOptions,
  ) {
    this.objects = new ObjectStore(join(dir, "objects"));
  }

  static async open(o: LocalCacheOptions): Promise<LocalCache> {
    const index = await ActionIndex.open({ ...o, dir: join(o.dir, "index") });
    return new LocalCache(o.dir, index, o);
  }

  async lookup(key: string, node: string, opts: { fresh?: boolean } = {}): Promise<CacheEntry | undefined> {
    const e = opts.fresh ? await this.index.get(key, node) : await this.index.lookup(key, node);
    // a shared index may list results whose objects live in another store: not a hit here
    return e && hashesOf(e.outputs).every((h) => this.objects.has(h)) ? e : undefined;
  }

  async restore(node: GraphNode, key: string, entry: CacheEntry): Promise<RestoreResult> {
    const corrupt: string[] = [];
    for (const { name, path, hash } of outputPairs(node, entry.outputs)) {
      if (hash === undefined) {
        corrupt.push(`${name} (not in the entry)`);
        continue;
      }
      if (this.o.stat.peek(path) === hash) continue; // already holds these bytes
      if (!(await this.materialise(hash, path))) corrupt.push(path);
    }
    if (corrupt.length) await this.index.delete(key);
    return corrupt.length ? { ok: false, corrupt } : { ok: true };
  }

  /**
   * Whether the object holds the bytes its name says: its fingerprint (the stat recorded
   * when it was last hashed) still holds, or it is read and hashed again now — in a hash
   * thread when large. A corrupt object is removed (a later store replaces it).
   */
  private async verified(hash: string): Promise<boolean> {
    const src = this.objects.path(hash);
    let got: string | undefined;
    try {
      got = await this.o.stat.hashAsync(src);
    } catch {
      got = undefined;
    }
    if (got === hash) return true;
    this.discard(hash);
    return false;
  }

  private discard(hash: string) {
    this.objects.remove(hash);
    this.o.stat.forget(this.objects.path(hash));
  }

  /** Puts object `hash` at `dest` (atomically, by temp + rename) in the cache's link mode; false if the object is corrupt. */
  private async materialise(hash: string, dest: string): Promise<boolean> {
    const src = this.objects.path(hash);
    const tmp = tempSibling(dest);
    try {
      mkdirSync(dirname(dest), { recursive: true });
      if (this.o.link === "hardlink") {
        if (!(await this.verified(hash))) return false;
        if (this.link(hash, src, tmp)) {
          renameSync(tmp, dest);
          this.o.stat.remember(dest, hash);
          return true;
        }
      }
      if (!(await this.copy(hash, src, tmp))) return false;
      renameSync(tmp, dest);
      this.o.stat.remember(dest, hash);
      return true;
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        /* not made */
      }
      const code = (e as NodeJS.ErrnoException).code;
      if (!code) throw e;
      throw new Error(`cannot write ${dest}: ${code} (${errnoText(code)})`);
    }
  }

  /** A hard link to a verified object; false when links are refused here (another file system): then it is copied. */
  private link(hash: string, src: string, tmp: string): boolean {
    const before = statSync(src);
    try {
      linkSync(src, tmp);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EXDEV" || code === "EPERM" || code === "EMLINK" || code === "ENOTSUP") return false;
      throw e;
    }
    // A new link changes the object's ctime: its fingerprint is taken again, unless
    // something else changed it between the check and the link.
    const after = statSync(src);
    if (after.size === before.size && after.mtimeMs === before.mtimeMs && after.ino === before.ino) this.o.stat.remember(src, hash, after);
    return true;
  }

  /** A writable copy (a clone where the file system can) of a verified object: one read when it must be verified, none when its fingerprint holds. */
  private async copy(hash: string, src: string, tmp: string): Promise<boolean> {
    const st = statSync(src);
    if (this.o.stat.peek(src) === hash) {
      await copyFile(src, tmp, constants.COPYFILE_FICLONE);
      chmodSync(tmp, 0o644);
      return true;
    }
    const got = st.size >= THREAD_MIN_BYTES ? (await this.o.threads.copy(src, tmp)).hash : copyHashing(src, tmp);
    if (got !== hash) {
      unlinkSync(tmp);
      this.discard(hash);
      return false;
    }
    const after = statSync(src);
    if (sameStat({ size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino }, after)) this.o.stat.remember(src, hash, after);
    return true;
  }

  async store(node: GraphNode, key: string, files: OutputPaths): Promise<StoreResult> {
    const outputs: OutputHashes = {};
    const problems: string[] = [];
    const one = async (p: string): Promise<string> => {
      let st;
      try {
        st = lstatSync(p);
      } catch {
        problems.push(`task did not write its output ${basename(p)}`);
        return "";
      }
      if (!st.isFile()) {
        problems.push(
          `output ${basename(p)} is ${st.isSymbolicLink() ? `a symbolic link (to ${readlinkSync(p)})` : "not a regular file"}; outputs must be regular files`,
        );
        return "";
      }
      const hash = st.size >= THREAD_MIN_BYTES ? (await this.o.threads.hash(p)).hash : hashFile(p);
      const after = lstatSync(p);
      if (!sameStat(st, after)) {
        problems.push(`output ${basename(p)} changed while it was stored (a process of the task still writing?)`);
        return "";
      }
      const obj = this.objects.put(p, hash);
      this.o.stat.remember(obj, hash); // its fingerprint: the next restore needs no read
      return hash;
    };
    try {
      for (const [name, t] of Object.entries(files)) {
        if (typeof t === "string") outputs[name] = await one(t);
        else {
          const m: Record<string, string> = {};
          for (const [member, p] of Object.entries(t)) m[member] = await one(p);
          outputs[name] = m;
        }
      }
      if (problems.length) return { ok: false, message: problems.join("; ") };
      await this.index.set(key, { outputs, node: node.id, at: new Date().toISOString() });
      return { ok: true, outputs };
    } catch (e) {
      // a full disk, an index that cannot be written: named with the path and the cause
      return { ok: false, message: errorText(e) };
    }
  }

  taskInputs(paths: Record<string, string | string[]>, scratch: string): Record<string, string | string[]> {
    if (this.o.link !== "hardlink") return paths;
    let n = 0;
    const own = (p: string) => {
      let st;
      try {
        st = statSync(p);
      } catch {
        return p; // missing: the task says so
      }
      if (st.nlink < 2) return p;
      // a hard link (a cache object, or shares its bytes with one): the task reads a copy
      const copy = join(scratch, String(n++), basename(p));
      mkdirSync(dirname(copy), { recursive: true });
      copyFileSync(p, copy, constants.COPYFILE_FICLONE);
      chmodSync(copy, 0o444);
      return copy;
    };
    return Object.fromEntries(Object.entries(paths).map(([k, v]) => [k, typeof v === "string" ? own(v) : v.map(own)]));
  }

  purge(policy: PurgePolicy): Promise<PurgeReport> {
    return collectGarbage(this.index, this.objects, policy);
  }

  /** Temp files of dead writers in the object store (a put killed mid-copy). */
  sweepStrays(): number {
    return existsSync(this.objects.dir) ? this.objects.sweepStrays() : 0;
  }

  flushWarnings() {
    this.index.flushWarnings();
  }

  async close() {
    await this.index.close();
  }
}
