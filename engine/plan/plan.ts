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
import { outputPaths } from "../pipeline/types.js";
import type { Workspace } from "../workspace.js";
import { entryHashes, type IndexEntry, type OutputHashes } from "../store/index.js";
import type { NodeState } from "../store/workspace-state.js";

export type NodeStateName = "up-to-date" | "restorable" | "stale" | "never-run";

export interface NodeStatus {
  node: PlanNode;
  state: NodeStateName;
  reasons: string[];
  key?: string;
  code: { version: string; files: string[] };
  inputs?: Record<string, string | string[]>;
  entry?: IndexEntry;
}

export interface KeyResult {
  key?: string;
  inputs?: Record<string, string | string[]>;
  /** why the key cannot be computed yet (an upstream without known outputs, a missing file) */
  blocked?: string[];
}

export class Planner {
  /** file path → the node and output that produce it */
  readonly producer = new Map<string, { node: string; output: string; member?: string }>();
  /** node id → output hashes, once known (up to date, restorable, or just run) */
  readonly known = new Map<string, OutputHashes>();
  readonly invalidated: Set<string>;

  constructor(readonly pipeline: Pipeline, readonly ws: Workspace) {
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

  private hashOfInput(path: string): { hash?: string; blocked?: string } {
    const prod = this.producer.get(path);
    if (prod) {
      const outs = this.known.get(prod.node);
      if (!outs) return { blocked: `upstream ${prod.node} is not up to date` };
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
    for (const [name, i] of Object.entries(n.inputs)) {
      if (i.kind === "file") {
        const r = this.hashOfInput(i.path);
        if (r.blocked) blocked.push(r.blocked);
        else inputs[name] = r.hash!;
      } else {
        const hs: string[] = [];
        for (const p of i.paths) {
          const r = this.hashOfInput(p);
          if (r.blocked) blocked.push(r.blocked);
          else hs.push(r.hash!);
        }
        inputs[name] = hs;
      }
    }
    if (blocked.length) return { blocked: [...new Set(blocked)] };
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
      const pairs: [string, string | undefined][] = o.kind === "file"
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

  /** Why the recorded state differs from the plan (params, code, inputs). */
  diff(n: PlanNode, rec: NodeState, code: string, inputs: Record<string, string | string[]>): string[] {
    const reasons: string[] = [];
    if (rec.code !== code) reasons.push("task code changed");
    const cur: Record<string, ParamValue> = { ...n.params, ...n.vars };
    const old: Record<string, ParamValue> = rec.params;
    for (const k of new Set([...Object.keys(cur), ...Object.keys(old)])) {
      if (canonical(cur[k]) !== canonical(old[k])) {
        reasons.push(`param ${k} changed (${short(old[k])} → ${short(cur[k])})`);
      }
    }
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
      paths.forEach((p, i) => {
        if (oldByPath.get(p) === hs[i]) return;
        const prod = this.producer.get(p);
        changed.add(prod ? `upstream ${prod.node} changed` : `input file changed: ${this.rel(p)}`);
      });
      if (changed.size === 0) changed.add(`input ${name} changed`);
      for (const c of changed) reasons.push(c); // no spread: a gather may have 10⁵ changed inputs
    }
    if (reasons.length === 0) reasons.push("key changed");
    return reasons;
  }

  /**
   * The index entry for a key, if this object store holds all its objects. (A shared
   * index may list results whose objects live in another store.)
   */
  private async cached(key: string): Promise<IndexEntry | undefined> {
    const e = await this.ws.index.lookup(key);
    return e && entryHashes(e).every((h) => this.ws.objects.has(h)) ? e : undefined;
  }

  async status(n: PlanNode): Promise<NodeStatus> {
    const code = this.ws.code.of(n.run);
    const rec = this.ws.state.get(n.id);
    const k = this.computeKey(n);
    if (!k.key) {
      return { node: n, code, state: rec ? "stale" : "never-run", reasons: k.blocked! };
    }
    const inputs = k.inputs!;
    if (this.invalidated.has(n.id)) {
      return { node: n, code, key: k.key, inputs, state: "stale", reasons: ["invalidated"] };
    }
    if (rec && rec.key === k.key) {
      const problems = this.outputsIntact(n, rec.outputs);
      if (problems.length === 0) {
        this.known.set(n.id, rec.outputs);
        return { node: n, code, key: k.key, inputs, state: "up-to-date", reasons: [] };
      }
      const entry = await this.cached(k.key);
      if (entry) {
        this.known.set(n.id, entry.outputs);
        return { node: n, code, key: k.key, inputs, entry, state: "restorable", reasons: problems };
      }
      return { node: n, code, key: k.key, inputs, state: "stale", reasons: problems };
    }
    const entry = await this.cached(k.key);
    const reasons = rec ? this.diff(n, rec, code.version, inputs) : [];
    if (entry) {
      this.known.set(n.id, entry.outputs);
      return { node: n, code, key: k.key, inputs, entry, state: "restorable", reasons };
    }
    return { node: n, code, key: k.key, inputs, state: rec ? "stale" : "never-run", reasons };
  }
}

function short(v: unknown): string {
  if (v === undefined) return "unset";
  const s = typeof v === "string" ? v : canonical(v);
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}

export function allOutputPaths(n: PlanNode): string[] {
  return Object.values(n.outputs).flatMap(outputPaths);
}
