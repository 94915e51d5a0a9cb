// A cache held in memory: the same interface as the local one, for tests of the
// scheduler and the node lifecycle that need no object store on disk. It keeps the same
// promises: a restore checks the bytes against their hash; a store refuses what is not a
// regular file.
import { lstatSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { sha256 } from "../hash/canonical.js";
import { hashesOf, outputPairs, type GraphNode, type OutputHashes, type OutputPaths } from "../model/graph-node.js";
import type { Cache, CacheEntry, PurgePolicy, PurgeReport, RestoreResult, StoreResult } from "./cache.js";

export class MemoryCache implements Cache {
  readonly entries = new Map<string, CacheEntry>();
  readonly objects = new Map<string, Buffer>();
  /** what happened, for tests */
  readonly calls = { lookup: 0, restore: 0, store: 0 };

  async lookup(key: string): Promise<CacheEntry | undefined> {
    this.calls.lookup++;
    const e = this.entries.get(key);
    return e && hashesOf(e.outputs).every((h) => this.objects.has(h)) ? e : undefined;
  }

  async restore(node: GraphNode, key: string, entry: CacheEntry): Promise<RestoreResult> {
    this.calls.restore++;
    const corrupt: string[] = [];
    for (const { path, hash } of outputPairs(node, entry.outputs)) {
      const bytes = hash === undefined ? undefined : this.objects.get(hash);
      if (!bytes || sha256(bytes) !== hash) {
        corrupt.push(path);
        if (hash) this.objects.delete(hash);
        continue;
      }
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, bytes);
    }
    if (corrupt.length) this.entries.delete(key);
    return corrupt.length ? { ok: false, corrupt } : { ok: true };
  }

  async store(node: GraphNode, key: string, files: OutputPaths): Promise<StoreResult> {
    this.calls.store++;
    const outputs: OutputHashes = {};
    const problems: string[] = [];
    const one = (p: string) => {
      const st = lstatSync(p, { throwIfNoEntry: false });
      if (!st?.isFile()) {
        problems.push(st ? `output ${basename(p)} is not a regular file` : `task did not write its output ${basename(p)}`);
        return "";
      }
      const bytes = readFileSync(p);
      const h = sha256(bytes);
      this.objects.set(h, bytes);
      rmSync(p);
      return h;
    };
    for (const [name, t] of Object.entries(files))
      outputs[name] = typeof t === "string" ? one(t) : Object.fromEntries(Object.entries(t).map(([m, p]) => [m, one(p)]));
    if (problems.length) return { ok: false, message: problems.join("; ") };
    this.entries.set(key, { outputs, node: node.id, at: new Date().toISOString() });
    return { ok: true, outputs };
  }

  taskInputs(paths: Record<string, string | string[]>): Record<string, string | string[]> {
    return paths;
  }

  async purge(policy: PurgePolicy): Promise<PurgeReport> {
    const keep = new Set(policy.keepObjects);
    for (const k of policy.keepKeys) for (const h of hashesOf(this.entries.get(k)?.outputs ?? {})) keep.add(h);
    const removed: PurgeReport["removed"] = [];
    for (const [h, b] of this.objects) if (!keep.has(h)) removed.push({ node: "?", hash: h, bytes: b.length });
    if (!policy.dryRun) for (const r of removed) this.objects.delete(r.hash);
    return {
      removedObjects: removed.length,
      removedBytes: removed.reduce((a, r) => a + r.bytes, 0),
      keptObjects: this.objects.size,
      removedEntries: 0,
      keptEntries: this.entries.size,
      removedTempFiles: 0,
      removed,
    };
  }

  flushWarnings() {}
  async close() {}
}
