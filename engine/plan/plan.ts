// Keys and states. A node's key is a SHA-256 over a canonical encoding of:
//   task id           – two tasks never share results
//   code version      – editing the task's code makes exactly its nodes stale
//   params and vars   – only the params the task declares, so an unrelated param
//                       change leaves it alone
//   input hashes      – content of external files (via the stat cache), and the
//                       *output* hashes of upstream nodes: an upstream that re-runs
//                       and writes the same bytes does not change this key (early cutoff)
//   output names      – the shape of what the node promises to produce
// Output *paths* are deliberately not in the key: the same result restores anywhere.
import { relative } from "node:path";
import { canonical, sha256 } from "../hash/canonical.js";
import type { PlanNode, Pipeline, ParamValue } from "../pipeline/types.js";
import type { Workspace } from "../workspace.js";
import { entryHashes, type IndexEntry, type OutputHashes } from "../store/index.js";
import type { NodeState } from "../store/workspace-state.js";
import type { CodeVersion } from "../hash/code-version.js";

export type NodeStateName = "up-to-date" | "restorable" | "stale" | "never-run";

export interface NodeStatus {
  node: PlanNode;
  state: NodeStateName;
  reasons: string[];
  key?: string;
  code: CodeVersion;
  inputs?: Record<string, string | string[]>;
  entry?: IndexEntry;
}

export interface KeyResult {
  key?: string;
  inputs?: Record<string, string | string[]>;
  /** why the key cannot be computed yet (a missing file, an upstream that did not record an output) */
  blocked?: string[];
  /** the upstream nodes whose outputs are not known yet */
  waitingFor?: Set<string>;
}

/** cause → the nodes where it arises */
type Causes = Map<string, Set<string>>;
/** At most this many distinct upstream causes are spelled out in one node's reasons. */
const MAX_CAUSES = 5;

export class Planner {
  /** file path → the node and output that produce it */
  readonly producer = new Map<string, { node: string; output: string; member?: string }>();
  // The planner owns the run's knowledge of the graph; nobody else writes these. The
  // scheduler reports what it did through settle() and finish().
  /** node id → output hashes, once known (up to date, restorable, or just run) */
  private readonly known = new Map<string, OutputHashes>();
  private readonly invalidated: Set<string>;
  /** an invalidated node ran: the set is written once, at finish() */
  private invalidationsDone = false;
  /**
   * node id → why it is not up to date, traced back to where that starts: a node
   * downstream of 40 re-binned sessions says "upstream: param bin_width changed
   * (0.02 → 0.025) in 40 nodes" once, not 40 lines. Shared, not copied, along chains.
   */
  private readonly roots = new Map<string, Causes>();

  constructor(
    readonly pipeline: Pipeline,
    readonly ws: Workspace,
  ) {
    for (const n of pipeline.nodes) {
      for (const [name, o] of Object.entries(n.outputs)) {
        if (o.kind === "file") this.producer.set(o.path, { node: n.id, output: name });
        else for (const [m, p] of Object.entries(o.paths)) this.producer.set(p, { node: n.id, output: name, member: m });
      }
    }
    this.invalidated = ws.state.invalidated();
  }

  rel(p: string) {
    return relative(this.pipeline.root, p) || ".";
  }

  /**
   * The status of every node in `only` (all when absent; it must hold what its nodes
   * depend on), in the pipeline's order: a node's state needs its upstreams' outputs.
   */
  async *assess(only?: Set<string>): AsyncGenerator<NodeStatus> {
    for (const n of this.pipeline.nodes) if (!only || only.has(n.id)) yield await this.status(n);
  }

  /** Whether a node will run whatever its inputs say: never recorded here, or invalidated. */
  surelyRuns(n: PlanNode): boolean {
    return !this.ws.state.get(n.id) || this.invalidated.has(n.id);
  }

  /**
   * A node now holds these outputs (restored or just run): downstream keys can be
   * computed, and the workspace records what made them. Clears an invalidation.
   */
  settle(n: PlanNode, st: { key: string; code: CodeVersion; inputs: Record<string, string | string[]> }, outputs: OutputHashes) {
    this.known.set(n.id, outputs);
    this.ws.state.putCode(st.code.version, st.code.hashes); // to name the changed files later
    this.ws.state.put({
      id: n.id,
      key: st.key,
      code: st.code.version,
      params: { ...n.params, ...n.vars },
      inputs: st.inputs,
      inputPaths: Object.fromEntries(Object.entries(n.inputs).map(([k, i]) => [k, i.kind === "file" ? i.path : i.paths])),
      outputs,
      at: new Date().toISOString(),
    });
    if (this.invalidated.delete(n.id)) this.invalidationsDone = true;
  }

  /** At the end of a run: the invalidations that were carried out are dropped. (A run killed before this leaves them: those nodes run again, never wrong.) */
  finish() {
    if (this.invalidationsDone) this.ws.state.setInvalidated(this.invalidated);
  }

  private hashOfInput(path: string): { hash?: string; blocked?: string; waitingFor?: string } {
    const prod = this.producer.get(path);
    if (prod) {
      const outs = this.known.get(prod.node);
      if (!outs) return { waitingFor: prod.node };
      const o = outs[prod.output];
      const h = typeof o === "string" ? o : o?.[prod.member ?? ""];
      return h ? { hash: h } : { blocked: `upstream ${prod.node} did not record ${this.rel(path)}` };
    }
    const h = this.ws.stat.hash(path);
    return h ? { hash: h } : { blocked: `input file missing: ${this.rel(path)}` };
  }

  computeKey(n: PlanNode): KeyResult {
    const inputs: Record<string, string | string[]> = {};
    const blocked: string[] = [];
    const waitingFor = new Set<string>();
    const one = (p: string) => {
      const r = this.hashOfInput(p);
      if (r.waitingFor) waitingFor.add(r.waitingFor);
      else if (r.blocked) blocked.push(r.blocked);
      return r.hash;
    };
    for (const [name, i] of Object.entries(n.inputs)) {
      if (i.kind === "file") {
        const h = one(i.path);
        if (h) inputs[name] = h;
      } else {
        const hs: string[] = [];
        for (const p of i.paths) {
          const h = one(p);
          if (h) hs.push(h);
        }
        inputs[name] = hs;
      }
    }
    if (blocked.length || waitingFor.size) return { blocked: [...new Set(blocked)], waitingFor };
    const code = this.ws.code.of(n.run);
    const shape = Object.fromEntries(Object.entries(n.outputs).map(([k, o]) => [k, o.kind === "file" ? "file" : Object.keys(o.paths)]));
    const key = sha256(canonical({ v: 1, task: n.task, code: code.version, params: n.params, vars: n.vars, inputs, outputs: shape }));
    return { key, inputs };
  }

  /** Whether the workspace files of a node hold exactly the given hashes. */
  outputsIntact(n: PlanNode, hashes: OutputHashes): string[] {
    const problems: string[] = [];
    for (const [name, o] of Object.entries(n.outputs)) {
      const want = hashes[name];
      const pairs: [string, string | undefined][] =
        o.kind === "file"
          ? [[o.path, typeof want === "string" ? want : undefined]]
          : Object.entries(o.paths).map(([m, p]) => [p, typeof want === "object" ? want[m] : undefined]);
      for (const [p, h] of pairs) {
        const got = this.ws.stat.hash(p);
        if (got === undefined) problems.push(`output missing: ${this.rel(p)}`);
        else if (got !== h) problems.push(`output modified: ${this.rel(p)}`);
      }
    }
    return problems;
  }

  /** What changed in the node's own code and params since its record. */
  private ownChanges(n: PlanNode, rec: NodeState, code: { version: string; hashes: Record<string, string> }): string[] {
    const reasons: string[] = [];
    if (rec.code !== code.version) {
      const old = this.ws.state.codeFiles(rec.code);
      const files = old ? changedFiles(old, code.hashes) : [];
      reasons.push(
        files.length
          ? `task code changed: ${files.slice(0, 5).join(", ")}${files.length > 5 ? `, … (${files.length} files)` : ""}`
          : "task code changed",
      );
    }
    const cur: Record<string, ParamValue> = { ...n.params, ...n.vars };
    const old: Record<string, ParamValue> = rec.params;
    for (const k of new Set([...Object.keys(cur), ...Object.keys(old)])) {
      if (canonical(cur[k]) !== canonical(old[k])) {
        reasons.push(`param ${k} changed (${short(old[k])} → ${short(cur[k])})`);
      }
    }
    return reasons;
  }

  /** Why the recorded state differs from the plan: own reasons, and the upstream nodes whose outputs changed. */
  diff(
    n: PlanNode,
    rec: NodeState,
    code: { version: string; hashes: Record<string, string> },
    inputs: Record<string, string | string[]>,
  ): { reasons: string[]; upstreams: Set<string> } {
    const reasons = this.ownChanges(n, rec, code);
    const upstreams = new Set<string>();
    for (const [name, h] of Object.entries(inputs)) {
      const was = rec.inputs[name];
      if (canonical(was) === canonical(h)) continue;
      const spec = n.inputs[name]!;
      const paths = spec.kind === "file" ? [spec.path] : spec.paths;
      const hs = Array.isArray(h) ? h : [h];
      const oldPaths = rec.inputPaths?.[name];
      const oldByPath = new Map<string, string>();
      if (Array.isArray(oldPaths) && Array.isArray(was)) oldPaths.forEach((p, i) => oldByPath.set(p, was[i]!));
      else if (typeof oldPaths === "string" && typeof was === "string") oldByPath.set(oldPaths, was);
      const changed = new Set<string>();
      let any = false;
      paths.forEach((p, i) => {
        if (oldByPath.get(p) === hs[i]) return;
        any = true;
        const prod = this.producer.get(p);
        if (prod) upstreams.add(prod.node);
        else changed.add(`input file changed: ${this.rel(p)}`);
      });
      if (!any) changed.add(`input ${name} changed`);
      for (const c of changed) reasons.push(c); // no spread: a gather may have 10⁵ changed inputs
    }
    if (reasons.length === 0 && upstreams.size === 0) reasons.push("key changed");
    return { reasons, upstreams };
  }

  /**
   * The reasons shown for a node: its own, then its upstream causes summed up by where
   * they start. Records the node's root causes for the nodes downstream of it.
   */
  private explain(id: string, own: string[], upstreams: Iterable<string>, ownCause?: string): string[] {
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
    return up ? [...own, ...summarise(up)] : own;
  }

  /**
   * The index entry for a key, if this object store holds all its objects. (A shared
   * index may list results whose objects live in another store.)
   */
  private async cached(key: string, node: string): Promise<IndexEntry | undefined> {
    const e = await this.ws.index.lookup(key, node);
    return e && entryHashes(e).every((h) => this.ws.objects.has(h)) ? e : undefined;
  }

  async status(n: PlanNode): Promise<NodeStatus> {
    const code = this.ws.code.of(n.run);
    const rec = this.ws.state.get(n.id);
    const k = this.computeKey(n);
    if (!k.key) {
      const own = [...(rec ? this.ownChanges(n, rec, code) : []), ...k.blocked!];
      if (this.invalidated.has(n.id)) own.unshift("invalidated");
      return { node: n, code, state: rec ? "stale" : "never-run", reasons: this.explain(n.id, own, k.waitingFor!, rec ? undefined : "never run") };
    }
    const inputs = k.inputs!;
    if (this.invalidated.has(n.id)) {
      return { node: n, code, key: k.key, inputs, state: "stale", reasons: this.explain(n.id, ["invalidated"], []) };
    }
    if (rec && rec.key === k.key) {
      const problems = this.outputsIntact(n, rec.outputs);
      if (problems.length === 0) {
        this.known.set(n.id, rec.outputs);
        return { node: n, code, key: k.key, inputs, state: "up-to-date", reasons: [] };
      }
      const entry = await this.cached(k.key, n.id);
      if (entry) {
        this.known.set(n.id, entry.outputs);
        return { node: n, code, key: k.key, inputs, entry, state: "restorable", reasons: problems };
      }
      return { node: n, code, key: k.key, inputs, state: "stale", reasons: this.explain(n.id, problems, []) };
    }
    const entry = await this.cached(k.key, n.id);
    const d = rec ? this.diff(n, rec, code, inputs) : { reasons: [], upstreams: new Set<string>() };
    if (entry) {
      this.known.set(n.id, entry.outputs);
      return { node: n, code, key: k.key, inputs, entry, state: "restorable", reasons: this.explain(n.id, d.reasons, d.upstreams) };
    }
    const reasons = this.explain(n.id, d.reasons, d.upstreams, rec ? undefined : "never run");
    return { node: n, code, key: k.key, inputs, state: rec ? "stale" : "never-run", reasons };
  }
}

/** Upstream causes as lines, the most widespread first: one line per cause, not per node. */
function summarise(up: Causes): string[] {
  const entries = [...up].sort((a, b) => b[1].size - a[1].size || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const lines = entries.slice(0, MAX_CAUSES).map(([cause, nodes]) => {
    if (nodes.size > 1) return `upstream: ${cause} in ${nodes.size} nodes`;
    const [only] = nodes;
    return cause === "changed" ? `upstream ${only} changed` : `upstream ${only}: ${cause}`;
  });
  if (entries.length > MAX_CAUSES) lines.push(`upstream: ${entries.length - MAX_CAUSES} more causes`);
  return lines;
}

/** Code files that differ between two versions' file → hash maps (added and removed too). */
function changedFiles(old: Record<string, string>, now: Record<string, string>): string[] {
  const out: string[] = [];
  for (const f of new Set([...Object.keys(old), ...Object.keys(now)])) if (old[f] !== now[f]) out.push(f);
  return out.sort();
}

function short(v: unknown): string {
  if (v === undefined) return "unset";
  const s = typeof v === "string" ? v : canonical(v);
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}
