// Checking a task module's declaration against the node pipeline.yaml gives it, and
// converting the node's params to the declared kinds — in the worker, before the task runs.
import type { ParamValue } from "../model/graph-node.js";
import type { ParamKind, TaskDeclaration } from "./task.js";

/**
 * Why a node's inputs, outputs or params do not match what its task module declares,
 * or undefined when they do (or the module declares nothing).
 */
export function declarationMismatch(
  d: TaskDeclaration | undefined,
  node: { inputs: Record<string, unknown>; outputs: Record<string, unknown>; params: Record<string, unknown> },
): string | undefined {
  if (!d) return undefined;
  const problems: string[] = [];
  const kind = (v: unknown, what: "input" | "output") =>
    what === "input" ? (Array.isArray(v) ? "files" : "file") : typeof v === "object" ? "files" : "file";
  for (const what of ["input", "output"] as const) {
    const declared = (what === "input" ? d.inputs : d.outputs) ?? {};
    const given = what === "input" ? node.inputs : node.outputs;
    for (const [name, k] of Object.entries(declared)) {
      if (!(name in given)) problems.push(`${what} '${name}' is declared but pipeline.yaml gives none`);
      else if (kind(given[name], what) !== k)
        problems.push(`${what} '${name}' is declared as ${k} but pipeline.yaml gives ${kind(given[name], what)}`);
    }
    for (const name of Object.keys(given))
      if (!(name in declared)) problems.push(`pipeline.yaml gives ${what} '${name}', which the task does not declare`);
  }
  for (const [p, k] of Object.entries(d.params ?? {})) {
    if (!(p in node.params)) problems.push(`param '${p}' is declared but the node has none (list it under the task's params:)`);
    else if (convert(node.params[p] as ParamValue, k) === undefined)
      problems.push(`param '${p}' is declared as ${k} but is ${JSON.stringify(node.params[p])}`);
  }
  return problems.length ? problems.join("; ") : undefined;
}

/** The node's params as the task declares them (a foreach value "715093703" declared "integer" becomes 715093703). */
export function declaredParams(d: TaskDeclaration | undefined, params: Record<string, ParamValue>): Record<string, ParamValue> {
  if (!d?.params) return params;
  const out = { ...params };
  for (const [p, k] of Object.entries(d.params)) if (p in params) out[p] = convert(params[p]!, k)!;
  return out;
}

function convert(v: ParamValue, k: ParamKind): ParamValue | undefined {
  const num = (x: ParamValue) =>
    typeof x === "number" ? x : typeof x === "string" && /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(x) ? Number(x) : undefined;
  switch (k) {
    case "string":
      return typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;
    case "number":
      return num(v);
    case "integer": {
      const n = num(v);
      return n !== undefined && Number.isInteger(n) ? n : undefined;
    }
    case "boolean":
      return typeof v === "boolean" ? v : v === "true" ? true : v === "false" ? false : undefined;
    case "strings":
      return Array.isArray(v) && v.every((x) => typeof x === "string") ? v : undefined;
    case "numbers":
      return Array.isArray(v) && v.every((x) => typeof x === "number") ? v : undefined;
    default:
      return v;
  }
}
