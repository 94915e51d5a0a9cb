// `${name}` substitution. Substitution never splits or joins words: a value becomes
// exactly the text it replaces, so argv templates stay one argument per element.
import { resolve, relative, isAbsolute } from "node:path";
import { FlowError } from "../errors.js";
import type { ParamDef } from "./types.js";
import type { ParamValue } from "../model/graph-node.js";

const REF = /\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g;

export interface Scope {
  vars: Record<string, string>;
  params: Record<string, ParamValue>;
  defs: Record<string, ParamDef>;
  /** Where the template came from, for errors: "pipeline.yaml:40 (tasks.bin.outputs.cube)". */
  where: string;
}

export function substitute(t: string, scope: Scope, opts: { path?: boolean; onPathParam?: () => void } = {}): string {
  return t.replace(REF, (_m, name: string) => {
    let v: ParamValue | undefined = scope.vars[name];
    const isVar = v !== undefined;
    if (!isVar) v = scope.params[name];
    if (v === undefined) {
      throw new FlowError("pipeline-invalid", `${scope.where}: unknown reference \${${name}}`);
    }
    if (typeof v === "object") {
      throw new FlowError("pipeline-invalid", `${scope.where}: \${${name}} is a ${Array.isArray(v) ? "list" : "mapping"}, not a single value`);
    }
    const s = String(v);
    if (!isVar && scope.defs[name]?.path) opts.onPathParam?.();
    else if (opts.path) checkPathPiece(name, s, scope.where);
    return s;
  });
}

/** A value that is not a declared path param must not move a path out of its place. */
export function checkPathPiece(name: string, value: string, where: string) {
  const parts = value.split(/[\\/]/);
  if (value.startsWith("/") || /^[A-Za-z]:/.test(value) || parts.includes("..")) {
    throw new FlowError(
      "param-invalid",
      `${where}: ${name}=${JSON.stringify(value)} would leave the workspace (absolute path or '..'); ` +
        `declare the param with 'path: true' if that is intended`,
    );
  }
}

/**
 * A path template → an absolute path. Each value is checked (checkPathPiece), and so is
 * the final, normalised path: values joined together (`${a}${b}` with a = b = ".") may
 * not make a `..`, and the path must lie inside the workspace — unless a `path: true`
 * param is in the template, the one explicit way out.
 */
export function resolvePath(t: string, scope: Scope, root: string): string {
  let explicit = false;
  const s = substitute(t, scope, {
    path: true,
    onPathParam: () => {
      explicit = true;
    },
  });
  const abs = isAbsolute(s) ? resolve(s) : resolve(root, s);
  if (explicit) return abs;
  const dots = (x: string) => x.split(/[\\/]/).filter((seg) => seg === "..").length;
  const r = relative(root, abs);
  if (dots(s) > dots(t) || r === "" || r.startsWith("..") || isAbsolute(r)) {
    throw new FlowError(
      "param-invalid",
      `${scope.where}: '${t}' becomes '${s}', which is ${r === "" ? "the workspace folder itself" : "outside its place in the workspace"}; ` +
        `a path may leave the workspace only through a param declared 'path: true'`,
    );
  }
  return abs;
}
