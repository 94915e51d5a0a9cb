// Garbage collection of the cache: given what must stay (object hashes, index keys, a
// minimum age), remove every other object, the index entries that point at removed or
// missing objects, and temp files of dead writers. What to keep is the caller's policy
// (`flow gc`: this workspace's outputs and the last runs); this module only collects.
import { statSync } from "node:fs";
import { entryHashes, type ActionIndex } from "./index.js";
import type { ObjectStore } from "./objects.js";

export interface GcPolicy {
  /** objects to keep whatever their age */
  keepObjects: Set<string>;
  /** index keys whose objects are kept (e.g. what recent runs produced) */
  keepKeys: Set<string>;
  /** anything younger than this is kept (entries by their time, objects by mtime) */
  minAgeMs: number;
  dryRun: boolean;
  now?: number;
}

export interface GcResult {
  removedObjects: number;
  removedBytes: number;
  keptObjects: number;
  removedEntries: number;
  keptEntries: number;
  removedTempFiles: number;
}

export async function collectGarbage(index: ActionIndex, objects: ObjectStore, policy: GcPolicy): Promise<GcResult> {
  const now = policy.now ?? Date.now();
  const dry = policy.dryRun;
  const keep = new Set(policy.keepObjects);
  // 1. every index entry, in one pass (a server index is a network scan): kept by key or youth
  let entries = 0;
  const all: [string, string[]][] = [];
  for await (const [k, e] of index.entries()) {
    entries++;
    const hs = entryHashes(e);
    all.push([k, hs]);
    if (policy.keepKeys.has(k) || now - Date.parse(e.at) < policy.minAgeMs) for (const h of hs) keep.add(h);
  }
  // 2. objects nothing keeps, and older than the minimum age by their own time
  let removed = 0,
    bytes = 0,
    kept = 0;
  const gone = new Set<string>();
  for (const h of [...objects.list()]) {
    if (keep.has(h)) {
      kept++;
      continue;
    }
    let st;
    try {
      st = statSync(objects.path(h));
    } catch {
      continue;
    }
    if (now - st.mtimeMs < policy.minAgeMs) {
      kept++;
      continue;
    }
    bytes += st.size;
    removed++;
    gone.add(h);
    if (!dry) objects.remove(h);
  }
  // 3. index entries whose objects are gone (removed now, or missing already)
  const drop = all.filter(([, hs]) => hs.some((h) => gone.has(h) || (!dry && !objects.has(h)))).map(([k]) => k);
  if (!dry) for (const k of drop) await index.delete(k);
  const strays = dry ? 0 : objects.sweepStrays();
  return {
    removedObjects: removed,
    removedBytes: bytes,
    keptObjects: kept,
    removedEntries: drop.length,
    keptEntries: entries - drop.length,
    removedTempFiles: strays,
  };
}
