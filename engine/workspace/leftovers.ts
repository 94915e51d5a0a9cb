// What a workspace holds that no current node stands for:
// - temp folders and half-copied outputs of runs that were killed (swept before a run,
//   with the lock held, so they are never mistaken for results);
// - outputs flow made for nodes that are no longer in the graph (a stimulus or a session
//   taken out of the params, an output renamed): left in place they would sit beside
//   current outputs, made with other params, looking current. They are removed after a
//   run (they stay in the cache: going back restores them); `flow status` lists them.
//   Only a file that still holds the bytes flow recorded for it is removed: a file flow
//   did not make, or one edited since, is never touched.
import { rmdirSync, unlinkSync } from "node:fs";
import { dirname, relative } from "node:path";
import { sweepTemps } from "../host/temp.js";
import { allOutputPaths, outputPairs, type GraphNode } from "../model/graph-node.js";
import type { StatCache } from "../hash/stat-cache.js";
import type { NodeRecord, WorkspaceState } from "./state.js";

/** Before a run (lock held): job folders and half-copied outputs that a killed run left behind. */
export function sweepLeftovers(tmpDir: string, nodes: GraphNode[]) {
  sweepTemps(tmpDir);
  const dirs = new Set<string>();
  for (const n of nodes) for (const p of allOutputPaths(n)) dirs.add(dirname(p));
  for (const d of dirs) sweepTemps(d);
}

export interface Orphan {
  /** the node that made it (no longer in the graph, or no longer making this path) */
  node: string;
  path: string;
  hash: string;
}

/**
 * Files flow recorded as outputs of nodes that are not in the graph now, still holding
 * the recorded bytes, and made by no current node.
 */
export function orphanedOutputs(state: WorkspaceState, nodes: GraphNode[], stat: StatCache): Orphan[] {
  const ids = new Set(nodes.map((n) => n.id));
  const claimed = new Set(nodes.flatMap(allOutputPaths));
  const out: Orphan[] = [];
  for (const rec of state.all().values()) {
    if (ids.has(rec.id) || !rec.outputPaths) continue;
    const recorded = recordedHashes(rec.outputPaths, rec.outputs);
    for (const [path, hash] of recorded) {
      if (claimed.has(path)) continue;
      if (stat.peek(path) === hash || (stat.peek(path) === undefined && stat.hash(path) === hash)) out.push({ node: rec.id, path, hash });
    }
  }
  return out;
}

/** path → hash, from a record's output paths (in the order outputs are walked) and hashes. */
function recordedHashes(paths: string[], outputs: Record<string, string | Record<string, string>>): Map<string, string> {
  const hashes = Object.values(outputs).flatMap((o) => (typeof o === "string" ? [o] : Object.values(o)));
  const m = new Map<string, string>();
  paths.forEach((p, i) => {
    if (hashes[i]) m.set(p, hashes[i]!);
  });
  return m;
}

/** The output paths of a node, in the order outputPairs walks them (what a record keeps). */
export function recordedPaths(n: GraphNode): string[] {
  return outputPairs(n, {}).map((p) => p.path);
}

/**
 * Removes orphaned outputs (and folders they leave empty, up to the root) and forgets the
 * records of nodes no longer in the graph. Returns the paths removed, relative to the root.
 */
export function removeOrphans(root: string, state: WorkspaceState, nodes: GraphNode[], stat: StatCache): string[] {
  const orphans = orphanedOutputs(state, nodes, stat);
  const removed: string[] = [];
  for (const o of orphans) {
    try {
      unlinkSync(o.path);
      stat.forget(o.path);
      removed.push(relative(root, o.path));
    } catch {
      continue;
    }
    for (let d = dirname(o.path); d.startsWith(root + "/") && d !== root; d = dirname(d)) {
      try {
        rmdirSync(d);
      } catch {
        break; // not empty
      }
    }
  }
  const ids = new Set(nodes.map((n) => n.id));
  for (const id of [...state.all().keys()]) if (!ids.has(id)) state.forget(id);
  return removed;
}

/**
 * When a node is recorded again: the paths its previous record made that neither it nor
 * any other node makes now (an output renamed in pipeline.yaml), still holding the bytes
 * flow wrote, are removed. Returns the paths removed.
 */
export function removeReplaced(previous: NodeRecord | undefined, n: GraphNode, claimed: Set<string>, stat: StatCache): string[] {
  if (!previous?.outputPaths) return [];
  const now = new Set(recordedPaths(n));
  const removed: string[] = [];
  for (const [path, hash] of recordedHashes(previous.outputPaths, previous.outputs)) {
    if (now.has(path) || claimed.has(path) || stat.peek(path) !== hash) continue;
    try {
      unlinkSync(path);
      stat.forget(path);
      removed.push(path);
    } catch {
      /* gone */
    }
  }
  return removed;
}
