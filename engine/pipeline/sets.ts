// The members of each set a task expands over: literal values, a param's list or mapping
// keys, a column of a CSV table filtered by list params, or the files a glob with named
// wildcards matches. Members name nodes and paths: they must be plain names.
import { resolve, isAbsolute } from "node:path";
import { existsSync } from "node:fs";
import { FlowError } from "../errors.js";
import { globWildcards } from "./glob.js";
import { checkMember, tableSet, whereValues } from "./table-set.js";
import { substitute } from "./template.js";
import type { YamlSource } from "./source.js";
import type { ParamDef, PipelineDef, SetDef } from "./types.js";
import type { ParamValue, Scalar } from "../model/graph-node.js";

/** Natural order: numbers numerically, otherwise as text. */
function naturalCompare(a: string, b: string) {
  const na = Number(a),
    nb = Number(b);
  if (a !== "" && b !== "" && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

interface SetContext {
  name: string;
  where: string;
  params: Record<string, ParamValue>;
  defs: Record<string, ParamDef>;
  root: string;
}

const template = (t: string, c: SetContext) => substitute(t, { vars: {}, params: c.params, defs: c.defs, where: c.where }, {});

function paramMembers(s: SetDef, c: SetContext): Scalar[] {
  const v = c.params[s.param!];
  if (v === undefined) throw new FlowError("pipeline-invalid", `${c.where}: unknown param '${s.param}'`);
  if (Array.isArray(v)) return v.map((x) => (typeof x === "object" ? JSON.stringify(x) : x));
  if (typeof v === "object") return Object.keys(v);
  return [v];
}

function globMembers(s: SetDef, c: SetContext, tablePath: string | undefined): Scalar[] {
  if (!s.glob) throw new FlowError("input-missing", `${c.where}: set '${c.name}': no such table ${tablePath}`);
  // Without its table, a set can still be filtered on its own column (the glob's captures).
  const filters = whereValues(s.where ?? {}, c.params, c.where);
  for (const col of Object.keys(filters)) {
    if (col !== s.column)
      throw new FlowError("input-missing", `${c.where}: set '${c.name}': --set ${s.where![col]} needs the table ${tablePath}, which does not exist`);
  }
  const pattern = template(s.glob, c);
  if (!pattern.includes(`{${c.name}}`)) throw new FlowError("pipeline-invalid", `${c.where}: glob must capture the set's own name as {${c.name}}`);
  const matches = globWildcards(pattern, c.root);
  if (matches.problems.length) {
    const list = matches.problems.map((p) => `${p.path}: ${p.why}`);
    throw new FlowError(
      "input-missing",
      `${c.where}: set '${c.name}': ${list.length === 1 ? list[0] : `${list.length} members cannot be read:\n  ${list.join("\n  ")}`}`,
    );
  }
  let values = [...new Set(matches.map((m) => m.captures[c.name]).filter((x): x is string => x !== undefined))];
  const own = s.column !== undefined ? filters[s.column] : undefined;
  if (own) {
    const absent = own.filter((v) => !values.includes(v));
    if (absent.length)
      throw new FlowError(
        "param-invalid",
        `--set ${s.where![s.column!]}: ${absent.map((a) => JSON.stringify(a)).join(", ")} not found: no file matches ${pattern} (${c.where})`,
      );
    values = own;
  }
  if (values.length === 0) {
    const fixed = pattern.slice(0, pattern.search(/[{*]/)).replace(/\/[^/]*$/, "") || ".";
    const dir = isAbsolute(fixed) ? fixed : resolve(c.root, fixed);
    throw new FlowError(
      "input-missing",
      `${c.where}: set '${c.name}' is empty: ${existsSync(dir) ? `no file matches ${pattern}` : `${dir} does not exist`}`,
    );
  }
  return values;
}

function members(s: SetDef, c: SetContext): Scalar[] {
  if (s.values) return s.values;
  if (s.param) return paramMembers(s, c);
  const table = s.table ? resolve(c.root, template(s.table, c)) : undefined;
  if (table && existsSync(table)) {
    const values = tableSet({ file: table, column: s.column!, where: s.where ?? {} }, c.params, c.where, c.name);
    if (values.length === 0) throw new FlowError("input-missing", `${c.where}: set '${c.name}' is empty: no row of ${table} is selected`);
    return values;
  }
  return globMembers(s, c, table);
}

/**
 * The members of every needed set. With `placeholders`, a set whose table or files
 * cannot be read gets the one member "*" instead of an error (a `prepare:` step has yet
 * to make them: the graph can still be described); those sets are listed in `unread`.
 */
export function resolveSets(
  src: YamlSource,
  def: PipelineDef,
  params: Record<string, ParamValue>,
  defs: Record<string, ParamDef>,
  root: string,
  needed: Set<string>,
  placeholders = false,
): { sets: Record<string, string[]>; unread: string[] } {
  const sets: Record<string, string[]> = {};
  const unread: string[] = [];
  for (const [name, s] of Object.entries(def.sets ?? {})) {
    if (!needed.has(name)) continue;
    const c: SetContext = { name, where: src.locate(["sets", name]), params, defs, root };
    let values: Scalar[];
    try {
      values = members(s, c);
    } catch (e) {
      // (a set's inputs a prepare step has yet to make: missing files, or ids not found in them yet)
      if (!placeholders || !(e instanceof FlowError) || (e.reason !== "input-missing" && e.reason !== "param-invalid")) throw e;
      unread.push(name);
      sets[name] = ["*"];
      continue;
    }
    const strs = [...new Set(values.map(String))].sort(naturalCompare);
    if (strs.length === 0) throw new FlowError("pipeline-invalid", `${c.where}: set '${name}' is empty`);
    for (const v of strs) checkMember(v, c.where, name);
    sets[name] = strs;
  }
  return { sets, unread };
}

/** The params a set's members depend on (what `--set` would change them): its param, its where-lists, the params in its table or glob. */
export function setParams(s: SetDef): string[] {
  const out = new Set<string>();
  if (s.param) out.add(s.param);
  for (const p of Object.values(s.where ?? {})) out.add(p);
  for (const t of [s.table, s.glob]) for (const m of (t ?? "").matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) out.add(m[1]!);
  return [...out].sort();
}
