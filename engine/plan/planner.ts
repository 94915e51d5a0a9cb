// Keys and states. A node's key is a SHA-256 over a canonical encoding of:
//   task id           – two tasks never share results
//   code version      – editing the task's code makes exactly its nodes stale; for a
//                       TypeScript task this includes the exact versions of the npm
//                       packages its code imports (hash/code-version.ts)
//   params and vars   – only the params the task declares, so an unrelated param
//                       change leaves it alone
//   environment       – the output of the task's `environment:` probes (python3
//                       --version): an upgraded interpreter or library is a change
//   input hashes      – content of external files (via the stat cache), and the
//                       *output* hashes of upstream nodes: an upstream that re-runs
//                       and writes the same bytes does not change this key (early cutoff)
//   output names      – the shape of what the node promises to produce
// Output *paths* are deliberately not in the key: the same result restores anywhere.
//
// The planner only reads: the workspace's records (for the reasons), the stat cache, the
// cache's index. What a node comes to hold is told to it with learn(); recording it is
// the node lifecycle's business (lifecycle/settle.ts).
import { relative } from "node:path";
import { existsSync } from "node:fs";
import { canonical, sha256 } from "../hash/canonical.js";
import type { CodeVersion, CodeVersions } from "../hash/code-version.js";
import type { EnvironmentProbes } from "../hash/environment.js";
import type { StatCache } from "../hash/stat-cache.js";
import type { Cache, CacheEntry } from "../cache/cache.js";
import type { NodeRecord, WorkspaceState } from "../workspace/state.js";
import { outputPairs, type GraphNode, type InputHashes, type OutputHashes, type ParamValue } from "../model/graph-node.js";
import { RootCauses, changedFiles, changedValues } from "./reasons.js";

export type NodeState = "up-to-date" | "restorable" | "stale" | "never-run";

/** What the planner finds for one node: its state, why, and what running or restoring it needs. */
export interface Assessment {
  node: GraphNode;
  state: NodeState;
  reasons: string[];
  /** undefined while an input is missing */
  key?: string;
  code: CodeVersion;
  environment: Record<string, string>;
  inputs?: InputHashes;
  /** the cache entry to restore from (restorable) */
  entry?: CacheEntry;
}

/** What the planner reads. */
export interface PlannerSources {
  root: string;
  nodes: GraphNode[];
  stat: StatCache;
  code: CodeVersions;
  probes: EnvironmentProbes;
  state: WorkspaceState;
  cache: Cache;
}

export class Planner {
  /** file path → the node and output that produce it */
  readonly producer = new Map<string, { node: string; output: string; member?: string }>();
  /** node id → output hashes, once known (up to date, restorable, or just run) */
  private readonly known = new Map<string, OutputHashes>();
  private readonly causes = new RootCauses();

  constructor(private readonly s: PlannerSources) {
    for (const n of s.nodes) {
      for (const [name, o] of Object.entries(n.outputs)) {
        if (o.kind === "file") this.producer.set(o.path, { node: n.id, output: name });
        else for (const [m, p] of Object.entries(o.paths)) this.producer.set(p, { node: n.id, output: name, member: m });
      }
    }
  }

  rel(p: string) {
    return relative(this.s.root, p) || ".";
  }

  /**
   * The assessment of every node in `only` (all when absent; it must hold what its nodes
   * depend on), in graph order: a node's state needs its upstreams' outputs.
   */
  async *assessAll(only?: Set<string>): AsyncGenerator<Assessment> {
    for (const n of this.s.nodes) if (!only || only.has(n.id)) yield await this.assess(n);
  }

  /** Whether a node will run whatever its inputs say: never recorded here, or invalidated. */
  surelyRuns(n: GraphNode): boolean {
    return !this.s.state.get(n.id) || this.s.state.invalidated().has(n.id);
  }

  /** A node now holds these outputs (restored or just run): downstream keys can be computed. */
  learn(id: string, outputs: OutputHashes) {
    this.known.set(id, outputs);
  }

  /**
   * @param peek only what the stat cache knows: a file whose stat changed is not read
   *   (the run's first pass, which counts the work before any is done)
   */
  private hashOfInput(path: string, peek: boolean): { hash?: string; blocked?: string; waitingFor?: string } {
    const prod = this.producer.get(path);
    if (prod) {
      const outs = this.known.get(prod.node);
      if (!outs) return { waitingFor: prod.node };
      const o = outs[prod.output];
      const h = typeof o === "string" ? o : o?.[prod.member ?? ""];
      return h ? { hash: h } : { blocked: `upstream ${prod.node} did not record ${this.rel(path)}` };
    }
    const h = peek ? this.s.stat.peek(path) : this.s.stat.hash(path);
    if (h) return { hash: h };
    return { blocked: peek && existsSync(path) ? `input file changed: ${this.rel(path)}` : `input file missing: ${this.rel(path)}` };
  }

  private computeKey(
    n: GraphNode,
    code: CodeVersion,
    environment: Record<string, string>,
    peek: boolean,
  ): { key?: string; inputs?: InputHashes; blocked?: string[]; waitingFor?: Set<string> } {
    const inputs: InputHashes = {};
    const blocked: string[] = [];
    const waitingFor = new Set<string>();
    const one = (p: string) => {
      const r = this.hashOfInput(p, peek);
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
    const shape = Object.fromEntries(Object.entries(n.outputs).map(([k, o]) => [k, o.kind === "file" ? "file" : Object.keys(o.paths)]));
    const env = Object.keys(environment).length ? environment : undefined;
    const key = sha256(canonical({ v: 1, task: n.task, code: code.version, params: n.params, vars: n.vars, env, inputs, outputs: shape }));
    return { key, inputs };
  }

  /** Whether the workspace files of a node hold exactly the given hashes. */
  outputsIntact(n: GraphNode, hashes: OutputHashes): string[] {
    const problems: string[] = [];
    for (const { path, hash } of outputPairs(n, hashes)) {
      const got = this.s.stat.hash(path);
      if (got === undefined) problems.push(`output missing: ${this.rel(path)}`);
      else if (got !== hash) problems.push(`output modified: ${this.rel(path)}`);
    }
    return problems;
  }

  /** What changed in the node's own code, packages, environment and params since its record. */
  private ownChanges(n: GraphNode, rec: NodeRecord, code: CodeVersion, environment: Record<string, string>): string[] {
    const reasons: string[] = [];
    if (rec.code !== code.version) {
      const old = this.s.state.code(rec.code);
      const files = old ? changedFiles(old.files, code.hashes) : [];
      const packages = old?.packages ? changedValues(old.packages, code.packages) : [];
      if (files.length) reasons.push(`task code changed: ${files.slice(0, 5).join(", ")}${files.length > 5 ? `, … (${files.length} files)` : ""}`);
      for (const p of packages) reasons.push(`package changed: ${p.key} ${p.from} → ${p.to}`);
      if (!files.length && !packages.length) reasons.push("task code changed");
    }
    for (const e of changedValues(rec.environment ?? {}, environment)) reasons.push(`environment changed: ${e.key} (${e.from} → ${e.to})`);
    const cur: Record<string, ParamValue> = { ...n.params, ...n.vars };
    for (const p of changedValues(rec.params, cur)) reasons.push(`param ${p.key} changed (${p.from} → ${p.to})`);
    // the params that chose what a gather gathers: named, not only "changed in 2 nodes"
    if (rec.shape)
      for (const p of changedValues(rec.shape, n.shape)) if (!(p.key in cur)) reasons.push(`param ${p.key} changed (${p.from} → ${p.to})`);
    return reasons;
  }

  /** Why the recorded state differs from the plan: own reasons, and the upstream nodes whose outputs changed. */
  private diff(n: GraphNode, rec: NodeRecord, code: CodeVersion, environment: Record<string, string>, inputs: InputHashes) {
    const reasons = this.ownChanges(n, rec, code, environment);
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

  /** The node's state and why. `peek`: hash no file (see hashOfInput). */
  async assess(n: GraphNode, opts: { peek?: boolean } = {}): Promise<Assessment> {
    const code = this.s.code.of(n.run);
    const environment = n.environment.length ? await this.s.probes.of(n.environment) : {};
    const rec = this.s.state.get(n.id);
    const invalidated = this.s.state.invalidated().has(n.id);
    const k = this.computeKey(n, code, environment, !!opts.peek);
    const base = { node: n, code, environment };
    if (!k.key) {
      const own = [...(rec ? this.ownChanges(n, rec, code, environment) : []), ...k.blocked!];
      if (invalidated) own.unshift("invalidated");
      const reasons = this.causes.explain(n.id, own, k.waitingFor!, rec ? undefined : "never run");
      return { ...base, state: rec ? "stale" : "never-run", reasons };
    }
    const inputs = k.inputs!;
    const keyed = { ...base, key: k.key, inputs };
    if (invalidated) return { ...keyed, state: "stale", reasons: this.causes.explain(n.id, ["invalidated"], []) };
    if (rec && rec.key === k.key) {
      const problems = this.outputsIntact(n, rec.outputs);
      if (problems.length === 0) {
        this.known.set(n.id, rec.outputs);
        return { ...keyed, state: "up-to-date", reasons: [] };
      }
      const entry = await this.s.cache.lookup(k.key, n.id);
      if (entry) {
        this.known.set(n.id, entry.outputs);
        return { ...keyed, entry, state: "restorable", reasons: problems };
      }
      return { ...keyed, state: "stale", reasons: this.causes.explain(n.id, problems, []) };
    }
    const entry = await this.s.cache.lookup(k.key, n.id);
    const d = rec ? this.diff(n, rec, code, environment, inputs) : { reasons: [], upstreams: new Set<string>() };
    if (entry) {
      this.known.set(n.id, entry.outputs);
      return { ...keyed, entry, state: "restorable", reasons: this.causes.explain(n.id, d.reasons, d.upstreams) };
    }
    const reasons = this.causes.explain(n.id, d.reasons, d.upstreams, rec ? undefined : "never run");
    return { ...keyed, state: rec ? "stale" : "never-run", reasons };
  }
}
