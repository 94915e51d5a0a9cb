// A set read from a column of a CSV table — e.g. the sessions a data portal lists in its
// own index, so that a member whose file is missing is an error ("no such input"),
// never a member silently left out. `where` keeps the rows whose column value is in a
// list param; an empty list keeps every row. Every value asked for must exist: a typo
// in `--set session_ids=[…]` is an error, not a smaller dataset.
import { readFileSync } from "node:fs";
import { FlowError } from "../errors.js";
import { parseCsv } from "./csv.js";
import type { ParamValue } from "../model/graph-node.js";

export interface TableSetSpec {
  /** the table file (already substituted, absolute) */
  file: string;
  column: string;
  /** table column → name of a list param */
  where: Record<string, string>;
}

/** The filter values of each `where` column, or undefined where the list is empty. */
export function whereValues(where: Record<string, string>, params: Record<string, ParamValue>, at: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [col, param] of Object.entries(where)) {
    const v = params[param];
    if (v === undefined) throw new FlowError("pipeline-invalid", `${at}: where.${col}: unknown param '${param}'`);
    const list = Array.isArray(v) ? v : [v];
    if (list.some((x) => typeof x === "object"))
      throw new FlowError("param-invalid", `${at}: where.${col}: param '${param}' must be a list of single values`);
    if (list.length) out[col] = list.map(String);
  }
  return out;
}

/**
 * A set member names nodes and paths (session_${session}/…): it must be a plain name — not
 * empty, no '/', not '..'. The one rule for every set, and for anything that reads a set's
 * table (flow fetch writes files named by its members).
 */
export function checkMember(v: string, where: string, setName: string) {
  if (v === "" || v.includes("/") || v.includes("\\") || v === "." || v === "..")
    throw new FlowError("param-invalid", `${where}: set '${setName}' has value ${JSON.stringify(v)}, which cannot name a node or a path`);
}

export function tableSet(t: TableSetSpec, params: Record<string, ParamValue>, at: string, setName: string): string[] {
  let text: string;
  try {
    text = readFileSync(t.file, "utf8");
  } catch (e) {
    throw new FlowError("input-missing", `${at}: set '${setName}': cannot read ${t.file} (${(e as NodeJS.ErrnoException).code})`);
  }
  const { columns, rows } = parseCsv(text);
  const index = (col: string) => {
    const i = columns.indexOf(col);
    if (i < 0) throw new FlowError("input-missing", `${t.file}: no column '${col}' (columns: ${columns.join(", ")}) — needed by ${at}`);
    return i;
  };
  const key = index(t.column);
  const filters = Object.entries(whereValues(t.where, params, at)).map(([col, wanted]) => {
    const i = index(col);
    const present = new Set(rows.map((r) => r[i] ?? ""));
    const absent = wanted.filter((w) => !present.has(w));
    if (absent.length) {
      throw new FlowError(
        "param-invalid",
        `--set ${t.where[col]}: ${absent.map((a) => JSON.stringify(a)).join(", ")} ${absent.length === 1 ? "is" : "are"} not in column '${col}' of ${t.file} (${at})`,
      );
    }
    return { i, wanted: new Set(wanted) };
  });
  const members = rows
    .filter((r) => r.length > 1 || r[0] !== "")
    .filter((r) => filters.every((f) => f.wanted.has(r[f.i] ?? "")))
    .map((r) => r[key] ?? "");
  for (const m of members) checkMember(m, `${t.file} (${at})`, setName);
  return members;
}
