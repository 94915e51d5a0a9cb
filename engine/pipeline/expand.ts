// Expands tasks over their foreach sets into concrete nodes, resolves every input and
// output path, links readers to producers by path, and rejects bad graphs at load time.
import { resolve, relative, isAbsolute, dirname } from "node:path";
import { existsSync } from "node:fs";
import { FlowError } from "../errors.js";
import { Dag } from "../graph/dag.js";
import { globWildcards } from "./glob.js";
import { tableSet, whereValues } from "./table-set.js";
import { substitute, resolvePath, type Scope } from "./template.js";
import type { PipelineSource } from "./source.js";
import type { NodeInput, NodeOutput, ParamSpec, ParamValue, PipelineSpec, PlanNode, Scalar, TaskSpec } from "./types.js";

export function nodeId(task: string, vars: Record<string, string>): string {
  const parts = Object.entries(vars).map(([k, v]) => `${k}=${v}`);
  return parts.length ? `${task}[${parts.join(",")}]` : task;
}

/** Natural order: numbers numerically, otherwise as text. */
function naturalCompare(a: string, b: string) {
  const na = Number(a),
    nb = Number(b);
  if (a !== "" && b !== "" && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function resolveSets(
  src: PipelineSource,
  spec: PipelineSpec,
  params: Record<string, ParamValue>,
  specs: Record<string, ParamSpec>,
  root: string,
  needed: Set<string>,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, s] of Object.entries(spec.sets ?? {})) {
    if (!needed.has(name)) continue;
    const where = src.locate(["sets", name]);
    const tablePath = (t: string) => resolve(root, substitute(t, { vars: {}, params, specs, where }, {}));
    let values: Scalar[];
    if (s.values) values = s.values;
    else if (s.param) {
      const v = params[s.param];
      if (v === undefined) throw new FlowError("pipeline-invalid", `${where}: unknown param '${s.param}'`);
      if (Array.isArray(v)) values = v.map((x) => (typeof x === "object" ? JSON.stringify(x) : x));
      else if (typeof v === "object") values = Object.keys(v);
      else values = [v];
    } else if (s.table && existsSync(tablePath(s.table))) {
      values = tableSet({ file: tablePath(s.table), column: s.column!, where: s.where ?? {} }, params, where, name);
      if (values.length === 0) throw new FlowError("input-missing", `${where}: set '${name}' is empty: no row of ${tablePath(s.table)} is selected`);
    } else {
      if (!s.glob) throw new FlowError("input-missing", `${where}: set '${name}': no such table ${tablePath(s.table!)}`);
      // Without its table, a set can still be filtered on its own column (the glob's captures).
      const filters = whereValues(s.where ?? {}, params, where);
      for (const col of Object.keys(filters)) {
        if (col !== s.column)
          throw new FlowError(
            "input-missing",
            `${where}: set '${name}': --set ${s.where![col]} needs the table ${tablePath(s.table!)}, which does not exist`,
          );
      }
      const pattern = substitute(s.glob, { vars: {}, params, specs, where }, {});
      const matches = globWildcards(pattern, root);
      if (matches.problems.length) {
        const list = matches.problems.map((p) => `${p.path}: ${p.why}`);
        throw new FlowError(
          "input-missing",
          `${where}: set '${name}': ${list.length === 1 ? list[0] : `${list.length} members cannot be read:\n  ${list.join("\n  ")}`}`,
        );
      }
      values = [...new Set(matches.map((m) => m.captures[name]).filter((x): x is string => x !== undefined))];
      const own = s.column !== undefined ? filters[s.column] : undefined;
      if (own) {
        const absent = own.filter((v) => !values.includes(v));
        if (absent.length)
          throw new FlowError(
            "param-invalid",
            `--set ${s.where![s.column!]}: ${absent.map((a) => JSON.stringify(a)).join(", ")} not found: no file matches ${pattern} (${where})`,
          );
        values = own;
      }
      if (!pattern.includes(`{${name}}`)) {
        throw new FlowError("pipeline-invalid", `${where}: glob must capture the set's own name as {${name}}`);
      }
      if (values.length === 0) {
        const fixed = pattern.slice(0, pattern.search(/[{*]/)).replace(/\/[^/]*$/, "") || ".";
        const dir = isAbsolute(fixed) ? fixed : resolve(root, fixed);
        const why = existsSync(dir) ? `no file matches ${pattern}` : `${dir} does not exist`;
        throw new FlowError("input-missing", `${where}: set '${name}' is empty: ${why}`);
      }
    }
    const strs = [...new Set(values.map(String))].sort(naturalCompare);
    if (strs.length === 0) throw new FlowError("pipeline-invalid", `${where}: set '${name}' is empty`);
    for (const v of strs) {
      if (v === "" || v.includes("/") || v === "..") {
        throw new FlowError("param-invalid", `${where}: set '${name}' has value ${JSON.stringify(v)}, which cannot name a node or a path`);
      }
    }
    out[name] = strs;
  }
  return out;
}

function product(names: string[], sets: Record<string, string[]>): Record<string, string>[] {
  let acc: Record<string, string>[] = [{}];
  for (const n of names) acc = acc.flatMap((a) => sets[n]!.map((v) => ({ ...a, [n]: v })));
  return acc;
}

export interface Expanded {
  nodes: PlanNode[];
  deps: Map<string, string[]>;
  dag: Dag;
}

export function expand(
  src: PipelineSource,
  spec: PipelineSpec,
  params: Record<string, ParamValue>,
  specs: Record<string, ParamSpec>,
  root: string,
): Expanded {
  const taskIds = Object.keys(spec.tasks);
  // Check references to sets and params before touching the filesystem.
  const needed = new Set<string>();
  const modules = new Map<string, boolean>(); // one stat per module, not per task
  for (const [tid, t] of Object.entries(spec.tasks)) {
    if ("module" in t.run) {
      let ok = modules.get(t.run.module);
      if (ok === undefined) modules.set(t.run.module, (ok = existsSync(resolve(root, t.run.module))));
      if (!ok) throw new FlowError("pipeline-invalid", `${src.locate(["tasks", tid, "run", "module"])}: no such task module: ${t.run.module}`);
    }
    for (const s of t.foreach ?? []) {
      if (!spec.sets?.[s])
        throw new FlowError(
          "pipeline-invalid",
          `${src.locate(["tasks", tid, "foreach"])}: unknown set '${s}' (sets: ${Object.keys(spec.sets ?? {}).join(", ") || "none"})`,
        );
      needed.add(s);
    }
    for (const [oname, o] of Object.entries(t.outputs)) {
      if (typeof o === "object") {
        if (!spec.sets?.[o.over])
          throw new FlowError("pipeline-invalid", `${src.locate(["tasks", tid, "outputs", oname, "over"])}: unknown set '${o.over}'`);
        needed.add(o.over);
      }
    }
    for (const p of t.params ?? []) {
      const root = paramRef(p).path.split(".")[0]!;
      if (!(root in params)) throw new FlowError("pipeline-invalid", `${src.locate(["tasks", tid, "params"])}: unknown param '${root}'`);
    }
    for (const [iname, i] of Object.entries(t.inputs ?? {})) {
      if (typeof i === "object" && !Array.isArray(i)) {
        const from = spec.tasks[i.from];
        const at = () => src.locate(["tasks", tid, "inputs", iname, "from"]);
        if (!from) throw new FlowError("pipeline-invalid", `${at()}: unknown task '${i.from}' (tasks: ${taskIds.join(", ")})`);
        if (!(i.output in from.outputs))
          throw new FlowError(
            "pipeline-invalid",
            `${at()}: task '${i.from}' has no output '${i.output}' (outputs: ${Object.keys(from.outputs).join(", ")})`,
          );
        for (const k of Object.keys(i.where ?? {})) {
          if (!(from.foreach ?? []).includes(k))
            throw new FlowError(
              "pipeline-invalid",
              `${src.locate(["tasks", tid, "inputs", iname, "where"])}: task '${i.from}' has no foreach '${k}'`,
            );
        }
      }
    }
  }
  for (const [tid, t] of Object.entries(spec.tasks)) checkArgv(src, tid, t);
  const sets = resolveSets(src, spec, params, specs, root, needed);
  const abs = (p: string) => (isAbsolute(p) ? resolve(p) : resolve(root, p));

  const nodes: PlanNode[] = [];
  const byTask = new Map<string, PlanNode[]>();
  for (const [tid, t] of Object.entries(spec.tasks)) {
    const list: PlanNode[] = [];
    for (const vars of product(t.foreach ?? [], sets)) {
      // `where` is computed only for an error message: locating a YAML key is not free,
      // and 10⁵ nodes must not pay for it.
      const scope = (where: (string | number)[]): Scope => ({
        vars,
        params,
        specs,
        get where() {
          return src.locate(["tasks", tid, ...where]);
        },
      });
      const outputs: Record<string, NodeOutput> = {};
      for (const [oname, o] of Object.entries(t.outputs)) {
        if (typeof o === "string") outputs[oname] = { kind: "file", path: resolvePath(o, scope(["outputs", oname]), root) };
        else {
          const paths: Record<string, string> = {};
          for (const v of sets[o.over]!) {
            paths[v] = resolvePath(o.path, { ...scope(["outputs", oname]), vars: { ...vars, [o.over]: v } }, root);
          }
          outputs[oname] = { kind: "map", paths };
        }
      }
      const nodeParams: Record<string, ParamValue> = {};
      for (const p of t.params ?? []) {
        const { alias, path } = paramRef(p);
        nodeParams[alias] = lookupParam(params, substitute(path, scope(["params"])), () => src.locate(["tasks", tid, "params"]));
      }
      const node: PlanNode = {
        id: nodeId(tid, vars),
        task: tid,
        vars,
        params: nodeParams,
        run: t.run,
        inputs: {},
        outputs,
        resources: t.resources,
      };
      list.push(node);
      nodes.push(node);
    }
    byTask.set(tid, list);
  }
  // Inputs, now that every node's outputs are known.
  for (const [tid, t] of Object.entries(spec.tasks)) {
    for (const node of byTask.get(tid)!) {
      for (const [iname, i] of Object.entries(t.inputs ?? {})) {
        const scope: Scope = {
          vars: node.vars,
          params,
          specs,
          get where() {
            return src.locate(["tasks", tid, "inputs", iname]);
          },
        };
        node.inputs[iname] = resolveInput(i, scope, byTask, abs);
      }
    }
  }
  // Producers by path: two nodes may not claim one file.
  const producer = new Map<string, string>();
  for (const n of nodes) {
    for (const o of Object.values(n.outputs)) {
      for (const p of o.kind === "file" ? [o.path] : Object.values(o.paths)) {
        const other = producer.get(p);
        if (other) {
          throw new FlowError(
            "pipeline-invalid",
            `${src.locate(["tasks", n.task, "outputs"])}: output ${rel(root, p)} is claimed by both ${other} and ${n.id}`,
          );
        }
        producer.set(p, n.id);
      }
    }
  }
  // An output inside another output (out/x and out/x/y) cannot both be files.
  for (const [p, id] of producer) {
    for (let d = dirname(p); d.length > 1 && d !== dirname(d); d = dirname(d)) {
      const outer = producer.get(d);
      if (outer) {
        const task = nodes.find((n) => n.id === id)!.task;
        throw new FlowError(
          "pipeline-invalid",
          `${src.locate(["tasks", task, "outputs"])}: output ${rel(root, p)} of ${id} lies inside output ${rel(root, d)} of ${outer}`,
        );
      }
      if (d === root) break;
    }
  }
  const deps = new Map<string, string[]>();
  for (const n of nodes) {
    const ds = new Set<string>();
    for (const i of Object.values(n.inputs)) {
      for (const p of i.kind === "file" ? [i.path] : i.paths) {
        const prod = producer.get(p);
        if (prod === n.id)
          throw new FlowError("pipeline-invalid", `${src.locate(["tasks", n.task, "inputs"])}: ${n.id} reads its own output ${rel(root, p)}`);
        if (prod) ds.add(prod);
      }
    }
    deps.set(n.id, [...ds]);
  }
  const dag = new Dag(
    nodes.map((n) => n.id),
    deps,
  );
  const cycle = dag.findCycle();
  if (cycle) {
    const task = cycle[0]!.replace(/\[.*$/, "");
    throw new FlowError("pipeline-invalid", `${src.locate(["tasks", task])}: dependency cycle: ${cycle.join(" -> ")}`);
  }
  const order = dag.topoOrder();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return { nodes: order.map((id) => byId.get(id)!), deps, dag };
}

/** Shell argv may name only the task's inputs, outputs, declared params and foreach sets. */
function checkArgv(src: PipelineSource, tid: string, t: TaskSpec) {
  if (!("argv" in t.run)) return;
  const known = new Set([...(t.params ?? []).map((p) => paramRef(p).alias), ...(t.foreach ?? [])]);
  for (const [i, el] of t.run.argv.entries()) {
    for (const m of el.matchAll(/\$\{([A-Za-z0-9_.-]+)\}/g)) {
      const ref = m[1]!;
      const [scope, name] = ref.includes(".") ? [ref.slice(0, ref.indexOf(".")), ref.slice(ref.indexOf(".") + 1)] : ["", ref];
      const ok = scope === "in" ? name in (t.inputs ?? {}) : scope === "out" ? name in t.outputs : scope === "" && known.has(name);
      if (!ok) {
        const hint =
          scope === "in" || scope === "out"
            ? `no ${scope === "in" ? "input" : "output"} '${name}'`
            : `'${ref}' is not a declared param or foreach set of the task (declare it under params:)`;
        throw new FlowError("pipeline-invalid", `${src.locate(["tasks", tid, "run", "argv", i])}: \${${ref}}: ${hint}`);
      }
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
  i: TaskSpec["inputs"] extends Record<string, infer I> | undefined ? I : never,
  scope: Scope,
  byTask: Map<string, PlanNode[]>,
  abs: (p: string) => string,
): NodeInput {
  // Inputs are only read: each value is checked, the final path may lie anywhere.
  if (typeof i === "string") return { kind: "file", path: abs(substitute(i, scope, { path: true })) };
  if (Array.isArray(i)) return { kind: "list", paths: i.map((x) => abs(substitute(x, scope, { path: true }))) };
  const where = Object.fromEntries(Object.entries(i.where ?? {}).map(([k, v]) => [k, substitute(v, scope)]));
  const paths: string[] = [];
  for (const n of byTask.get(i.from)!) {
    if (!Object.entries(where).every(([k, v]) => n.vars[k] === v)) continue;
    const o = n.outputs[i.output]!;
    paths.push(...(o.kind === "file" ? [o.path] : Object.values(o.paths)));
  }
  if (paths.length === 0) {
    throw new FlowError("pipeline-invalid", `${scope.where}: no node of task '${i.from}' matches ${JSON.stringify(where)}`);
  }
  return { kind: "list", paths };
}

export function rel(root: string, p: string): string {
  const r = relative(root, p);
  return r.startsWith("..") || isAbsolute(r) ? p : r;
}
