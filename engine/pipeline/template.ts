// `${name}` substitution. Substitution never splits or joins words: a value becomes
// exactly the text it replaces, so argv templates stay one argument per element.
import { FlowError } from "../errors.js";
import type { ParamSpec, ParamValue } from "./types.js";

const REF = /\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g;

export interface Scope {
  vars: Record<string, string>;
  params: Record<string, ParamValue>;
  specs: Record<string, ParamSpec>;
  /** Where the template came from, for errors: "pipeline.yaml:40 (tasks.bin.outputs.cube)". */
  where: string;
}

export function substitute(t: string, scope: Scope, opts: { path?: boolean } = {}): string {
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
    if (opts.path && !(isVar ? false : scope.specs[name]?.path)) checkPathPiece(name, s, scope.where);
    return s;
  });
}

/** A value that is not a declared path param must not move a path out of its place. */
export function checkPathPiece(name: string, value: string, where: string) {
  const parts = value.split(/[\\/]/);
  if (value.startsWith("/") || /^[A-Za-z]:/.test(value) || parts.includes("..")) {
    throw new FlowError("param-invalid",
      `${where}: ${name}=${JSON.stringify(value)} would leave the workspace (absolute path or '..'); ` +
      `declare the param with 'path: true' if that is intended`);
  }
}
