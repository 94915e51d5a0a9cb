// Expands tasks over their foreach sets into concrete nodes, resolves every input and
// output path, links readers to producers by path, and rejects bad graphs at load time.
import { resolve, relative, isAbsolute, dirname, extname } from "node:path";
import { existsSync } from "node:fs";
import { FlowError } from "../errors.js";
import { Dag } from "../graph/dag.js";
import { resolveSets, setParams } from "./sets.js";
import { substitute, resolvePath, type Scope } from "./template.js";
import type { YamlSource } from "./source.js";
import type { ParamDef, PipelineDef, RunWritten, TaskDef } from "./types.js";
import { nodeId, taskOf, type GraphNode, type NodeInput, type NodeOutput, type ParamValue, type RunDef } from "../model/graph-node.js";

/** The interpreter of a `script:` by its extension. */
const INTERPRETERS: Record<string, string> = {
  ".py": "python3",
  ".r": "Rscript",
  ".sh": "bash",
  ".pl": "perl",
  ".js": "node",
  ".mjs": "node",
  ".rb": "ruby",
  ".jl": "julia",
};

/** `run:` as the engine runs it: a `script:` becomes an argv with the script in its code. */
export function runOf(r: RunWritten, where: () => string): RunDef {
  if (!("script" in r)) return r;
  const interpreter = r.interpreter ?? INTERPRETERS[extname(r.script).toLowerCase()];
  if (!interpreter)
    throw new FlowError("pipeline-invalid", `${where()}: no interpreter known for '${r.script}': add interpreter: (e.g. python3, Rscript, bash)`);
  return { argv: [interpreter, r.script, ...(r.args ?? [])], code: [r.script, ...(r.code ?? [])] };
}

export interface Expanded {
  nodes: GraphNode[];
  deps: Map<string, string[]>;
  dag: Dag;
  /** sets standing for one placeholder member (see resolveSets) */
  unread: string[];
}

interface Ctx {
  src: YamlSource;
  def: PipelineDef;
  params: Record<string, ParamValue>;
  defs: Record<string, ParamDef>;
  root: string;
}

export function expand(
  src: YamlSource,
  def: PipelineDef,
  params: Record<string, ParamValue>,
  defs: Record<string, ParamDef>,
  root: string,
  placeholders = false,
): Expanded {
  const c: Ctx = { src, def, params, defs, root };
  const needed = checkReferences(c);
  const { sets, unread } = resolveSets(src, def, params, defs, root, needed, placeholders);
  const byTask = new Map<string, GraphNode[]>();
  const nodes: GraphNode[] = [];
  for (const [tid, t] of Object.entries(def.tasks)) {
    const list = nodesOf(c, tid, t, sets);
    byTask.set(tid, list);
    for (const n of list) nodes.push(n); // no spread: 10⁵ nodes
  }
  for (const [tid, t] of Object.entries(def.tasks)) for (const n of byTask.get(tid)!) linkInputs(c, tid, t, n, byTask);
  const producer = checkOutputs(c, nodes);
  const deps = dependencies(c, nodes, producer);
  const dag = new Dag(
    nodes.map((n) => n.id),
    deps,
  );
  const cycle = dag.findCycle();
  if (cycle) throw new FlowError("pipeline-invalid", `${src.locate(["tasks", taskOf(cycle[0]!)])}: dependency cycle: ${cycle.join(" -> ")}`);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return { nodes: dag.topoOrder().map((id) => byId.get(id)!), deps, dag, unread };
}

/** Checks references to modules, sets, params and tasks before touching the filesystem; returns the sets needed. */
function checkReferences(c: Ctx): Set<string> {
  const { src, def, params } = c;
  const taskIds = Object.keys(def.tasks);
  const needed = new Set<string>();
  const modules = new Map<string, boolean>(); // one stat per module, not per task
  for (const [tid, t] of Object.entries(def.tasks)) {
    const at = (...path: (string | number)[]) => src.locate(["tasks", tid, ...path]);
    if ("module" in t.run) {
      let ok = modules.get(t.run.module);
      if (ok === undefined) modules.set(t.run.module, (ok = existsSync(resolve(c.root, t.run.module))));
      if (!ok) throw new FlowError("pipeline-invalid", `${at("run", "module")}: no such task module: ${t.run.module}`);
    }
    for (const s of t.foreach ?? []) {
      if (!def.sets?.[s])
        throw new FlowError("pipeline-invalid", `${at("foreach")}: unknown set '${s}' (sets: ${Object.keys(def.sets ?? {}).join(", ") || "none"})`);
      needed.add(s);
    }
    for (const [oname, o] of Object.entries(t.outputs)) {
      if (typeof o !== "object") continue;
      if (!def.sets?.[o.over]) throw new FlowError("pipeline-invalid", `${at("outputs", oname, "over")}: unknown set '${o.over}'`);
      needed.add(o.over);
    }
    for (const p of t.params ?? []) {
      const root = paramRef(p).path.split(".")[0]!;
      if (!(root in params)) throw new FlowError("pipeline-invalid", `${at("params")}: unknown param '${root}'`);
    }
    for (const [iname, i] of Object.entries(t.inputs ?? {})) {
      if (typeof i !== "object" || Array.isArray(i)) continue;
      const from = def.tasks[i.from];
      if (!from) throw new FlowError("pipeline-invalid", `${at("inputs", iname, "from")}: unknown task '${i.from}' (tasks: ${taskIds.join(", ")})`);
      if (!(i.output in from.outputs))
        throw new FlowError(
          "pipeline-invalid",
          `${at("inputs", iname, "from")}: task '${i.from}' has no output '${i.output}' (outputs: ${Object.keys(from.outputs).join(", ")})`,
        );
      for (const k of Object.keys(i.where ?? {}))
        if (!(from.foreach ?? []).includes(k))
          throw new FlowError("pipeline-invalid", `${at("inputs", iname, "where")}: task '${i.from}' has no foreach '${k}'`);
    }
    checkArgv(c, tid, t);
  }
  return needed;
}

/**
 * The params that choose which members a task's nodes gather or write one output for:
 * the params of the sets of each task it gathers from (less those its `where` fixes), and
 * of the sets its outputs are `over`.
 */
function shapeParams(c: Ctx, t: TaskDef): string[] {
  const sets = new Set<string>();
  for (const i of Object.values(t.inputs ?? {})) {
    if (typeof i !== "object" || Array.isArray(i)) continue;
    for (const s of c.def.tasks[i.from]!.foreach ?? []) if (!(s in (i.where ?? {}))) sets.add(s);
  }
  for (const o of Object.values(t.outputs)) if (typeof o === "object") sets.add(o.over);
  return [...new Set([...sets].flatMap((s) => setParams(c.def.sets![s]!)))].sort();
}

function product(names: string[], sets: Record<string, string[]>): Record<string, string>[] {
  let acc: Record<string, string>[] = [{}];
  for (const n of names) acc = acc.flatMap((a) => sets[n]!.map((v) => ({ ...a, [n]: v })));
  return acc;
}

/** The nodes of one task, with their outputs and params (inputs are linked once every task's outputs are known). */
function nodesOf(c: Ctx, tid: string, t: TaskDef, sets: Record<string, string[]>): GraphNode[] {
  const run = runOf(t.run, () => c.src.locate(["tasks", tid, "run"]));
  const shape = Object.fromEntries(shapeParams(c, t).map((p) => [p, c.params[p]!]));
  return product(t.foreach ?? [], sets).map((vars) => {
    // `where` is computed only for an error message: locating a YAML key is not free, and 10⁵ nodes must not pay for it.
    const scope = (...where: (string | number)[]): Scope => ({
      vars,
      params: c.params,
      defs: c.defs,
      get where() {
        return c.src.locate(["tasks", tid, ...where]);
      },
    });
    const outputs: Record<string, NodeOutput> = {};
    for (const [oname, o] of Object.entries(t.outputs)) {
      if (typeof o === "string") outputs[oname] = { kind: "file", path: resolvePath(o, scope("outputs", oname), c.root) };
      else {
        const paths: Record<string, string> = {};
        for (const v of sets[o.over]!) paths[v] = resolvePath(o.path, { ...scope("outputs", oname), vars: { ...vars, [o.over]: v } }, c.root);
        outputs[oname] = { kind: "files", paths };
      }
    }
    const params: Record<string, ParamValue> = {};
    for (const p of t.params ?? []) {
      const { alias, path } = paramRef(p);
      params[alias] = lookupParam(c.params, substitute(path, scope("params")), () => c.src.locate(["tasks", tid, "params"]));
    }
    return {
      id: nodeId(tid, vars),
      task: tid,
      vars,
      params,
      shape,
      run,
      environment: t.environment ?? [],
      inputs: {},
      outputs,
      resources: t.resources,
    };
  });
}

function linkInputs(c: Ctx, tid: string, t: TaskDef, node: GraphNode, byTask: Map<string, GraphNode[]>) {
  const abs = (p: string) => (isAbsolute(p) ? resolve(p) : resolve(c.root, p));
  for (const [iname, i] of Object.entries(t.inputs ?? {})) {
    const scope: Scope = {
      vars: node.vars,
      params: c.params,
      defs: c.defs,
      get where() {
        return c.src.locate(["tasks", tid, "inputs", iname]);
      },
    };
    node.inputs[iname] = resolveInput(i, scope, byTask, abs);
  }
}

/** Producers by path: two nodes may not claim one file, nor one output lie inside another. */
function checkOutputs(c: Ctx, nodes: GraphNode[]): Map<string, string> {
  const producer = new Map<string, string>();
  for (const n of nodes) {
    for (const o of Object.values(n.outputs)) {
      for (const p of o.kind === "file" ? [o.path] : Object.values(o.paths)) {
        const other = producer.get(p);
        if (other)
          throw new FlowError(
            "pipeline-invalid",
            `${c.src.locate(["tasks", n.task, "outputs"])}: output ${rel(c.root, p)} is claimed by both ${other} and ${n.id}`,
          );
        producer.set(p, n.id);
      }
    }
  }
  for (const [p, id] of producer) {
    for (let d = dirname(p); d.length > 1 && d !== dirname(d); d = dirname(d)) {
      const outer = producer.get(d);
      if (outer) {
        const task = taskOf(id);
        throw new FlowError(
          "pipeline-invalid",
          `${c.src.locate(["tasks", task, "outputs"])}: output ${rel(c.root, p)} of ${id} lies inside output ${rel(c.root, d)} of ${outer}`,
        );
      }
      if (d === c.root) break;
    }
  }
  return producer;
}

function dependencies(c: Ctx, nodes: GraphNode[], producer: Map<string, string>): Map<string, string[]> {
  const deps = new Map<string, string[]>();
  for (const n of nodes) {
    const ds = new Set<string>();
    for (const i of Object.values(n.inputs)) {
      for (const p of i.kind === "file" ? [i.path] : i.paths) {
        const prod = producer.get(p);
        if (prod === n.id)
          throw new FlowError("pipeline-invalid", `${c.src.locate(["tasks", n.task, "inputs"])}: ${n.id} reads its own output ${rel(c.root, p)}`);
        if (prod) ds.add(prod);
      }
    }
    deps.set(n.id, [...ds]);
  }
  return deps;
}

/** Shell argv may name only the task's inputs, outputs, declared params and foreach sets. */
function checkArgv(c: Ctx, tid: string, t: TaskDef) {
  const run = runOf(t.run, () => c.src.locate(["tasks", tid, "run"]));
  if (!("argv" in run)) return;
  const known = new Set([...(t.params ?? []).map((p) => paramRef(p).alias), ...(t.foreach ?? [])]);
  const offset = "script" in t.run ? 2 : 0; // a script's args start after the interpreter and the script
  for (const [i, el] of run.argv.entries()) {
    for (const m of el.matchAll(/\$\{([A-Za-z0-9_.-]+)\}/g)) {
      const ref = m[1]!;
      const [scope, name] = ref.includes(".") ? [ref.slice(0, ref.indexOf(".")), ref.slice(ref.indexOf(".") + 1)] : ["", ref];
      const ok = scope === "in" ? name in (t.inputs ?? {}) : scope === "out" ? name in t.outputs : scope === "" && known.has(name);
      if (ok) continue;
      const hint =
        scope === "in" || scope === "out"
          ? `no ${scope === "in" ? "input" : "output"} '${name}'`
          : `'${ref}' is not a declared param or foreach set of the task (declare it under params:)`;
      const path = offset ? ["tasks", tid, "run", "args", i - offset] : ["tasks", tid, "run", "argv", i];
      throw new FlowError("pipeline-invalid", `${c.src.locate(path)}: \${${ref}}: ${hint}`);
    }
  }
}

/** "name", "name.key.${var}" or "alias=name.key": only that slice enters the key. */
export function paramRef(p: string): { alias: string; path: string } {
  const eq = p.indexOf("=");
  if (eq > 0) return { alias: p.slice(0, eq), path: p.slice(eq + 1) };
  return { alias: p, path: p };
}

function lookupParam(params: Record<string, ParamValue>, path: string, where: () => string): ParamValue {
  const [root, ...keys] = path.split(".");
  let v: ParamValue | undefined = params[root!];
  for (const k of keys) {
    v = v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, ParamValue>)[k] : undefined;
    if (v === undefined) throw new FlowError("pipeline-invalid", `${where()}: param ${path} does not exist`);
  }
  return v!;
}

function resolveInput(
  i: NonNullable<TaskDef["inputs"]>[string],
  scope: Scope,
  byTask: Map<string, GraphNode[]>,
  abs: (p: string) => string,
): NodeInput {
  // Inputs are only read: each value is checked, the final path may lie anywhere.
  if (typeof i === "string") return { kind: "file", path: abs(substitute(i, scope, { path: true })) };
  if (Array.isArray(i)) return { kind: "files", paths: i.map((x) => abs(substitute(x, scope, { path: true }))) };
  const where = Object.fromEntries(Object.entries(i.where ?? {}).map(([k, v]) => [k, substitute(v, scope)]));
  const paths: string[] = [];
  for (const n of byTask.get(i.from)!) {
    if (!Object.entries(where).every(([k, v]) => n.vars[k] === v)) continue;
    const o = n.outputs[i.output]!;
    for (const p of o.kind === "file" ? [o.path] : Object.values(o.paths)) paths.push(p);
  }
  if (paths.length === 0) throw new FlowError("pipeline-invalid", `${scope.where}: no node of task '${i.from}' matches ${JSON.stringify(where)}`);
  return { kind: "files", paths };
}

export function rel(root: string, p: string): string {
  const r = relative(root, p);
  return r.startsWith("..") || isAbsolute(r) ? p : r;
}
