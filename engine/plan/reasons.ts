// Why a node is not up to date, in words, traced to where it starts: a node downstream of
// 40 re-binned sessions says "upstream: param bin_width changed (0.02 → 0.025) in 40
// nodes" once, not 40 lines.
import { canonical } from "../hash/canonical.js";

/** cause → the nodes where it arises */
export type Causes = Map<string, Set<string>>;
/** At most this many distinct upstream causes are spelled out in one node's reasons. */
const MAX_CAUSES = 5;

/** Upstream causes as lines, the most widespread first: one line per cause, not per node. */
export function summarise(up: Causes): string[] {
  const entries = [...up].sort((a, b) => b[1].size - a[1].size || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const lines = entries.slice(0, MAX_CAUSES).map(([cause, nodes]) => {
    if (nodes.size > 1) return `upstream: ${cause} in ${nodes.size} nodes`;
    const [only] = nodes;
    return cause === "changed" ? `upstream ${only} changed` : `upstream ${only}: ${cause}`;
  });
  if (entries.length > MAX_CAUSES) lines.push(`upstream: ${entries.length - MAX_CAUSES} more causes`);
  return lines;
}

/**
 * Root causes along the graph. A node's causes are its own, or — when it has none — the
 * union of its upstreams' (shared, not copied, along chains).
 */
export class RootCauses {
  private readonly roots = new Map<string, Causes>();

  /** The reasons shown for a node: its own, then its upstream causes by where they start. Records the node's causes for its dependents. */
  explain(id: string, own: string[], upstreams: Iterable<string>, ownCause?: string): string[] {
    let up: Causes | undefined;
    let shared = true; // up is another node's map: copy before changing it
    for (const u of upstreams) {
      const c = this.roots.get(u) ?? new Map([["changed", new Set([u])]]);
      if (!up) {
        up = c;
        continue;
      }
      if (up === c) continue;
      if (shared) {
        up = new Map([...up].map(([k, v]) => [k, new Set(v)]));
        shared = false;
      }
      for (const [cause, nodes] of c) {
        const into = up.get(cause);
        if (!into) up.set(cause, new Set(nodes));
        else for (const x of nodes) into.add(x);
      }
    }
    // What is shown is what came from upstream: summarised before this node's own causes join the map.
    const shown = up ? [...own, ...summarise(up)] : own;
    // A node that is only waiting for its upstreams has no cause of its own.
    const mine = own.length ? own : !up && ownCause ? [ownCause] : [];
    if (mine.length === 0 && up) this.roots.set(id, up);
    else {
      const all: Causes = new Map(up ? [...up].map(([k, v]) => [k, shared ? new Set(v) : v]) : []);
      for (const r of mine) {
        const into = all.get(r);
        if (into) into.add(id);
        else all.set(r, new Set([id]));
      }
      this.roots.set(id, all);
    }
    return shown;
  }
}

/** Code files that differ between two versions' file → hash maps (added and removed too). */
export function changedFiles(old: Record<string, string>, now: Record<string, string>): string[] {
  const out: string[] = [];
  for (const f of new Set([...Object.keys(old), ...Object.keys(now)])) if (old[f] !== now[f]) out.push(f);
  return out.sort();
}

/** "name: a → b" for every key whose value differs (added: unset → b; removed: a → unset). */
export function changedValues(old: Record<string, unknown>, now: Record<string, unknown>): { key: string; from: string; to: string }[] {
  const out: { key: string; from: string; to: string }[] = [];
  for (const k of [...new Set([...Object.keys(old), ...Object.keys(now)])].sort()) {
    if (canonical(old[k]) !== canonical(now[k])) out.push({ key: k, from: short(old[k]), to: short(now[k]) });
  }
  return out;
}

export function short(v: unknown): string {
  if (v === undefined) return "unset";
  const s = typeof v === "string" ? v : canonical(v).replace(/,/g, ", ");
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}
