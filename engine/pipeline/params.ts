// Parameter defaults from the file, overridden by `--set name=value`.
import { parse as parseYaml } from "yaml";
import { FlowError } from "../errors.js";
import type { ParamSpec, ParamValue, PipelineSpec } from "./types.js";
import type { PipelineSource } from "./source.js";

export function paramSpecs(spec: PipelineSpec): Record<string, ParamSpec> {
  const out: Record<string, ParamSpec> = {};
  for (const [name, p] of Object.entries(spec.params ?? {})) {
    out[name] = isSpec(p) ? p : { default: p };
  }
  return out;
}

function isSpec(p: unknown): p is ParamSpec {
  return typeof p === "object" && p !== null && !Array.isArray(p) && "default" in p;
}

/** Parses one `--set` value with the type of the param's default. */
function coerce(name: string, raw: string, def: ParamValue): ParamValue {
  if (typeof def === "string") return raw;
  if (typeof def === "number") {
    const n = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(n)) {
      throw new FlowError("param-invalid", `--set ${name}=${raw}: ${name} is a number (default ${def})`);
    }
    return n;
  }
  if (typeof def === "boolean") {
    if (raw === "true") return true;
    if (raw === "false") return false;
    throw new FlowError("param-invalid", `--set ${name}=${raw}: ${name} is true or false`);
  }
  let v: unknown;
  try {
    v = parseYaml(raw);
  } catch {
    throw new FlowError("param-invalid", `--set ${name}=${raw}: not a valid YAML/JSON value`);
  }
  if (Array.isArray(def) !== Array.isArray(v) || typeof v !== "object" || v === null) {
    throw new FlowError("param-invalid", `--set ${name}=${raw}: ${name} is a ${Array.isArray(def) ? "list" : "mapping"}`);
  }
  return v as ParamValue;
}

export function parseSets(sets: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of sets) {
    const eq = s.indexOf("=");
    if (eq <= 0) throw new FlowError("usage", `--set ${s}: expected name=value`);
    out[s.slice(0, eq)] = s.slice(eq + 1);
  }
  return out;
}

export function resolveParams(
  src: PipelineSource, specs: Record<string, ParamSpec>, overrides: Record<string, string>,
): Record<string, ParamValue> {
  const values: Record<string, ParamValue> = {};
  for (const [name, s] of Object.entries(specs)) values[name] = s.default;
  for (const [name, raw] of Object.entries(overrides)) {
    const s = specs[name];
    if (!s) {
      const known = Object.keys(specs).join(", ") || "(none)";
      throw new FlowError("param-unknown", `--set ${name}: ${src.file} has no param '${name}' (params: ${known})`);
    }
    values[name] = coerce(name, raw, s.default);
  }
  for (const [name, v] of Object.entries(values)) checkNameParam(name, v, specs[name]!);
  return values;
}

function checkNameParam(name: string, v: ParamValue, s: ParamSpec) {
  if (!s.name) return;
  if (typeof v !== "string" || v === "" || v.includes("/") || v.includes("\\") || v === "." || v === "..") {
    throw new FlowError("param-invalid", `param ${name}=${JSON.stringify(v)}: must be a plain name (no '/', no '..')`);
  }
}
