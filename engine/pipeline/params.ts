// Parameter values: the defaults of the pipeline file, then the workspace's params file
// (params.yaml beside pipeline.yaml, or --params FILE), then `--set name=value` — each
// checked against the param's declared domain. A param's definition may carry
// JSON-Schema keywords (type, minimum, maximum, exclusiveMinimum, enum, pattern, items,
// …); ajv checks the default and every other value at load, so every command (status
// and dag too) refuses `bin_width=-1` before anything runs. Without a declared type, the
// default's type is the domain. A path param's `~` is the home folder (zsh passes
// `--set allen_cache=~/allen` through unexpanded).
import { homedir } from "node:os";
import { Ajv, type ErrorObject } from "ajv";
import { parseDocument, visit, isScalar } from "yaml";
import { FlowError } from "../errors.js";
import type { ParamDef, ParamOrigin, PipelineDef } from "./types.js";
import type { ParamValue } from "../model/graph-node.js";
import type { YamlSource } from "./source.js";

/** The keys of a param definition that are flow's own; every other key is a JSON-Schema keyword. */
const FLOW_KEYS = new Set(["default", "description", "path", "name"]);

export function paramDefs(src: YamlSource, def: PipelineDef): Record<string, ParamDef> {
  const out: Record<string, ParamDef> = {};
  for (const [name, p] of Object.entries(def.params ?? {})) {
    const s: ParamDef = isDef(p) ? p : { default: p };
    out[name] = { ...s, check: compileDomain(src, name, s) };
  }
  return out;
}

function isDef(p: unknown): p is ParamDef {
  return typeof p === "object" && p !== null && !Array.isArray(p) && "default" in p;
}

let ajv: Ajv | undefined;

function jsonType(v: ParamValue): string {
  return Array.isArray(v) ? "array" : typeof v === "object" ? "object" : typeof v;
}

/** The param's domain as a JSON Schema: its declared keywords, or the default's type. */
export function domainOf(s: ParamDef): Record<string, unknown> {
  const schema: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) if (!FLOW_KEYS.has(k) && k !== "check") schema[k] = v;
  if (schema.type === undefined) schema.type = jsonType(s.default);
  if (s.path || s.name) schema.minLength ??= 1;
  return schema;
}

function compileDomain(src: YamlSource, name: string, s: ParamDef): NonNullable<ParamDef["check"]> {
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

/** A value as it may be printed in one line: anything with a control character (a newline) is quoted. */
export function shownValue(raw: string): string {
  return /[\u0000-\u001f\u007f]/.test(raw) ? JSON.stringify(raw) : raw;
}

/**
 * YAML text as a value, with numbers decimal only: `0x2A`, `0o17`, `1_000` stay text
 * (which a number's domain then refuses) — YAML would read them as numbers in another base.
 */
function parseDecimalYaml(raw: string): unknown {
  const doc = parseDocument(raw);
  if (doc.errors.length) throw new Error(doc.errors[0]!.message);
  visit(doc, {
    Scalar(_, n) {
      if (isScalar(n) && n.type === "PLAIN" && typeof n.value === "number" && typeof n.source === "string" && !NUMBER.test(n.source))
        n.value = n.source;
    },
  });
  return doc.toJS();
}

/**
 * Reads one `--set` value as the param's type. Numbers are decimal only (`0x10`,
 * `1_000`, `Infinity` stay text, which the domain then refuses); lists and mappings are
 * YAML/JSON. What cannot be read as the type is passed on as text for ajv to name.
 */
function coerce(name: string, raw: string, s: ParamDef): ParamValue {
  const type = domainOf(s).type;
  const types = Array.isArray(type) ? type : [type];
  if ((types.includes("number") || types.includes("integer")) && NUMBER.test(raw)) return Number(raw);
  if (types.includes("boolean") && (raw === "true" || raw === "false")) return raw === "true";
  if (types.includes("array") || types.includes("object")) {
    try {
      return parseDecimalYaml(raw) as ParamValue;
    } catch {
      throw new FlowError("param-invalid", `--set ${name}=${shownValue(raw)}: not a valid YAML/JSON value`);
    }
  }
  return raw;
}

export function parseSets(sets: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of sets) {
    const eq = s.indexOf("=");
    if (eq <= 0) throw new FlowError("usage", `--set ${shownValue(s)}: expected name=value`);
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

/** `~` and `~/…` in a path param are the home folder. */
function expandHome(v: ParamValue, s: ParamDef): ParamValue {
  if (!s.path || typeof v !== "string") return v;
  if (v === "~") return homedir();
  return v.startsWith("~/") ? `${homedir()}${v.slice(1)}` : v;
}

export interface ParamsFile {
  src: YamlSource;
  /** as given (for messages), and absolute */
  shown: string;
}

export interface ResolvedParams {
  values: Record<string, ParamValue>;
  origins: Record<string, ParamOrigin>;
}

export function resolveParams(src: YamlSource, defs: Record<string, ParamDef>, overrides: Record<string, string>, file?: ParamsFile): ResolvedParams {
  const values: Record<string, ParamValue> = {};
  const origins: Record<string, ParamOrigin> = {};
  for (const [name, s] of Object.entries(defs)) {
    if (!s.check!(s.default)) {
      throw new FlowError(
        "pipeline-invalid",
        `${src.locate(["params", name])}: default ${JSON.stringify(s.default)}: ${describeErrors(name, s.check!.errors)}`,
      );
    }
    values[name] = expandHome(s.default, s);
    origins[name] = "default";
  }
  if (file) {
    const data = file.src.data;
    if (data !== null && data !== undefined && (typeof data !== "object" || Array.isArray(data)))
      throw new FlowError("param-invalid", `${file.shown}: expected a mapping of param names to values`);
    for (const [name, v] of Object.entries((data ?? {}) as Record<string, ParamValue>)) {
      const s = defs[name];
      const where = file.src.locate([name]);
      if (!s)
        throw new FlowError("param-unknown", `${where}: ${src.file} has no param '${name}' (params: ${Object.keys(defs).join(", ") || "(none)"})`);
      if (!s.check!(v)) throw new FlowError("param-invalid", `${where}: ${name}: ${describeErrors(name, s.check!.errors)}`);
      values[name] = expandHome(v, s);
      origins[name] = { file: file.shown };
    }
  }
  for (const [name, raw] of Object.entries(overrides)) {
    const s = defs[name];
    if (!s) {
      const known = Object.keys(defs).join(", ") || "(none)";
      throw new FlowError("param-unknown", `--set ${name}: ${src.file} has no param '${name}' (params: ${known})`);
    }
    const v = coerce(name, raw, s);
    if (!s.check!(v)) {
      const line = src.locate(["params", name]).replace(/ \(.*\)$/, "");
      throw new FlowError("param-invalid", `--set ${name}=${shownValue(raw)}: ${describeErrors(name, s.check!.errors)} (${line})`);
    }
    values[name] = expandHome(v, s);
    origins[name] = "--set";
  }
  for (const [name, v] of Object.entries(values)) checkNameParam(name, v, defs[name]!);
  return { values, origins };
}

function checkNameParam(name: string, v: ParamValue, s: ParamDef) {
  if (!s.name) return;
  if (typeof v !== "string" || v === "" || v.includes("/") || v.includes("\\") || v === "." || v === "..") {
    throw new FlowError("param-invalid", `param ${name}=${JSON.stringify(v)}: must be a plain name (no '/', no '..')`);
  }
}
