// Garbage collection of a local object store and its index: given what must stay (object
// hashes, index keys, a minimum age), remove every other object, the index entries that
// point at removed or missing objects, and temp files of dead writers. What to keep is
// the caller's policy (`flow gc`); this module only collects.
import { statSync } from "node:fs";
import { hashesOf } from "../model/graph-node.js";
import type { ActionIndex } from "./action-index.js";
import type { ObjectStore } from "./objects.js";
import type { PurgePolicy, PurgeReport } from "./cache.js";

export async function collectGarbage(index: ActionIndex, objects: ObjectStore, policy: PurgePolicy): Promise<PurgeReport> {
  const now = policy.now ?? Date.now();
  const dry = policy.dryRun;
  const keep = new Set(policy.keepObjects);
  // 1. every index entry, in one pass (a server index is a network scan): kept by key or youth
  let entries = 0;
  const all: [string, string[]][] = [];
  const madeBy = new Map<string, { node: string; key: string }>();
  for await (const [k, e] of index.entries()) {
    entries++;
    const hs = hashesOf(e.outputs);
    all.push([k, hs]);
    for (const h of hs) if (!madeBy.has(h)) madeBy.set(h, { node: e.node, key: k });
    if (policy.keepKeys.has(k) || now - Date.parse(e.at) < policy.minAgeMs) for (const h of hs) keep.add(h);
  }
  // 2. objects nothing keeps, and older than the minimum age by their own time
  let bytes = 0,
    kept = 0;
  const gone = new Set<string>();
  const removed: PurgeReport["removed"] = [];
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
    gone.add(h);
    const by = madeBy.get(h);
    removed.push({ node: by?.node ?? "(no index entry)", key: by?.key, hash: h, bytes: st.size });
    if (!dry) objects.remove(h);
  }
  // 3. index entries whose objects are gone (removed now, or missing already)
  const drop = all.filter(([, hs]) => hs.some((h) => gone.has(h) || (!dry && !objects.has(h)))).map(([k]) => k);
  if (!dry) for (const k of drop) await index.delete(k);
  const strays = dry ? 0 : objects.sweepStrays();
  removed.sort((a, b) => b.bytes - a.bytes || (a.node < b.node ? -1 : 1));
  return {
    removedObjects: gone.size,
    removedBytes: bytes,
    keptObjects: kept,
    removedEntries: drop.length,
    keptEntries: entries - drop.length,
    removedTempFiles: strays,
    removed,
  };
}
