// The one interface through which results go into and come out of the cache: lookup,
// restore, store, purge. The scheduler's node lifecycle and `flow gc` use only this; the
// object store, the action index and materialising sit behind it (local-cache.ts), and an
// in-memory one (memory-cache.ts) makes scheduler tests pure. Every guarantee about
// cached results is kept here, once, for every path that reaches them:
// - a restore never puts bytes into the workspace that it has not checked against their
//   hash (or whose fingerprint — the stat when they were last hashed — has not held);
//   a corrupt object is discarded with its entry, and the node recomputed;
// - a store hashes what the task wrote, refuses anything that is not a regular file, and
//   indexes only objects that are in the store;
// - a task never gets a cache object itself as an input it could write into.
import type { GraphNode, OutputHashes, OutputPaths } from "../model/graph-node.js";

export interface CacheEntry {
  outputs: OutputHashes;
  /** the node that first produced it: for humans and `flow gc` reports */
  node: string;
  at: string;
  /** HMAC-SHA256 over the key and the outputs, with the lab's secret (FLOW_CACHE_SECRET) */
  mac?: string;
}

export type RestoreResult = { ok: true } | { ok: false; corrupt: string[] };
export type StoreResult = { ok: true; outputs: OutputHashes } | { ok: false; message: string };

/** What `flow gc` keeps and removes (the policy is the command's; the cache only collects). */
export interface PurgePolicy {
  /** objects to keep whatever their age */
  keepObjects: Set<string>;
  /** index keys whose objects are kept (e.g. what recent runs produced) */
  keepKeys: Set<string>;
  /** anything younger than this is kept (entries by their time, objects by mtime) */
  minAgeMs: number;
  dryRun: boolean;
  now?: number;
}

export interface PurgeReport {
  removedObjects: number;
  removedBytes: number;
  keptObjects: number;
  removedEntries: number;
  keptEntries: number;
  removedTempFiles: number;
  /** what was (or would be) removed, largest first: the node that made it, and its size */
  removed: { node: string; key?: string; hash: string; bytes: number }[];
}

export interface Cache {
  /**
   * The entry for a key, if it is valid (signed, with a secret) and every object it names
   * is stored. Planning may answer "absent" from what the index held when first asked;
   * `fresh` asks the index now (an entry another process — a cluster job — just wrote).
   */
  lookup(key: string, node: string, opts?: { fresh?: boolean }): Promise<CacheEntry | undefined>;
  /**
   * Puts the entry's outputs at the node's output paths, verified. A corrupt object is
   * discarded with the entry (a later store replaces it); the result names the paths.
   */
  restore(node: GraphNode, key: string, entry: CacheEntry): Promise<RestoreResult>;
  /** Hashes a task's finished outputs (temp paths), moves them into the store and indexes them under the key. */
  store(node: GraphNode, key: string, files: OutputPaths): Promise<StoreResult>;
  /**
   * The paths a task is given for its inputs: the same paths, except an input that is a
   * cache object itself (a hard-linked output) — the task gets a private copy in
   * `scratch`, so that it can never write into the object.
   */
  taskInputs(paths: Record<string, string | string[]>, scratch: string): Record<string, string | string[]>;
  /** Removes what the policy does not keep (gc). */
  purge(policy: PurgePolicy): Promise<PurgeReport>;
  /** Warnings held back to be said once (refused entries of a rotated secret: one line with a count). */
  flushWarnings(): void;
  close(): Promise<void>;
}
