// Parameter defaults from the file, overridden by `--set name=value`, each checked
// against its declared domain. A param's spec may carry JSON-Schema keywords (type,
// minimum, maximum, exclusiveMinimum, enum, pattern, items, …); ajv checks the default
// and every --set value against them at load, so every command (status and dag too)
// refuses `bin_width=-1` before anything runs. Without a declared type, the default's
// type is the domain.
import { Ajv, type ErrorObject } from "ajv";
import { parse as parseYaml } from "yaml";
import { FlowError } from "../errors.js";
import type { ParamSpec, ParamValue, PipelineSpec } from "./types.js";
import type { PipelineSource } from "./source.js";

/** The keys of a param spec that are flow's own; every other key is a JSON-Schema keyword. */
const FLOW_KEYS = new Set(["default", "description", "path", "name"]);

export function paramSpecs(src: PipelineSource, spec: PipelineSpec): Record<string, ParamSpec> {
  const out: Record<string, ParamSpec> = {};
  for (const [name, p] of Object.entries(spec.params ?? {})) {
    const s: ParamSpec = isSpec(p) ? p : { default: p };
    out[name] = { ...s, check: compileDomain(src, name, s) };
  }
  return out;
}

function isSpec(p: unknown): p is ParamSpec {
  return typeof p === "object" && p !== null && !Array.isArray(p) && "default" in p;
}

let ajv: Ajv | undefined;

function jsonType(v: ParamValue): string {
  return Array.isArray(v) ? "array" : typeof v === "object" ? "object" : typeof v;
}

/** The param's domain as a JSON Schema: its declared keywords, or the default's type. */
export function domainOf(s: ParamSpec): Record<string, unknown> {
  const schema: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) if (!FLOW_KEYS.has(k) && k !== "check") schema[k] = v;
  if (schema.type === undefined) schema.type = jsonType(s.default);
  if (s.path || s.name) schema.minLength ??= 1;
  return schema;
}

function compileDomain(src: PipelineSource, name: string, s: ParamSpec): NonNullable<ParamSpec["check"]> {
  ajv ??= new Ajv({ allErrors: false, strict: true });
  try {
    return ajv.compile(domainOf(s));
  } catch (e) {
    throw new FlowError(
      "pipeline-invalid",
      `${src.locate(["params", name])}: the domain of param '${name}' is not valid JSON Schema: ${(e as Error).message}`,
    );
  }
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Reads one `--set` value as the param's type. Numbers are decimal only (`0x10`,
 * `1_000`, `Infinity` stay text, which the domain then refuses); lists and mappings are
 * YAML/JSON. What cannot be read as the type is passed on as text for ajv to name.
 */
function coerce(name: string, raw: string, s: ParamSpec): ParamValue {
  const type = domainOf(s).type;
  const types = Array.isArray(type) ? type : [type];
  if ((types.includes("number") || types.includes("integer")) && NUMBER.test(raw)) return Number(raw);
  if (types.includes("boolean") && (raw === "true" || raw === "false")) return raw === "true";
  if (types.includes("array") || types.includes("object")) {
    try {
      return parseYaml(raw) as ParamValue;
    } catch {
      throw new FlowError("param-invalid", `--set ${name}=${raw}: not a valid YAML/JSON value`);
    }
  }
  return raw;
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

function describeErrors(name: string, errors: ErrorObject[] | null | undefined): string {
  const e = errors?.[0];
  if (!e) return "not valid";
  const at = e.instancePath ? `${name}${e.instancePath.replace(/\//g, ".")}: ` : "";
  if (e.keyword === "minLength" && e.params.limit === 1) return `${at}must not be empty`;
  const extra =
    e.keyword === "enum"
      ? `: ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`
      : e.keyword === "additionalProperties"
        ? ` ('${e.params.additionalProperty}')`
        : "";
  return `${at}${e.message}${extra}`;
}

export function resolveParams(src: PipelineSource, specs: Record<string, ParamSpec>, overrides: Record<string, string>): Record<string, ParamValue> {
  const values: Record<string, ParamValue> = {};
  for (const [name, s] of Object.entries(specs)) {
    if (!s.check!(s.default)) {
      throw new FlowError(
        "pipeline-invalid",
        `${src.locate(["params", name])}: default ${JSON.stringify(s.default)}: ${describeErrors(name, s.check!.errors)}`,
      );
    }
    values[name] = s.default;
  }
  for (const [name, raw] of Object.entries(overrides)) {
    const s = specs[name];
    if (!s) {
      const known = Object.keys(specs).join(", ") || "(none)";
      throw new FlowError("param-unknown", `--set ${name}: ${src.file} has no param '${name}' (params: ${known})`);
    }
    const v = coerce(name, raw, s);
    if (!s.check!(v)) {
      const line = src.locate(["params", name]).replace(/ \(.*\)$/, "");
      throw new FlowError("param-invalid", `--set ${name}=${raw}: ${describeErrors(name, s.check!.errors)} (${line})`);
    }
    values[name] = v;
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
