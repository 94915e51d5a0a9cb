// Schema validation of a parsed pipeline file with ajv: one error, with file:line.
import { Ajv, type ErrorObject } from "ajv";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { FlowError } from "../errors.js";
import type { YamlSource, YamlPath } from "./source.js";
import type { PipelineDef } from "./types.js";

const schemaFile = fileURLToPath(new URL("../../schemas/pipeline.schema.json", import.meta.url));
let compiled: ReturnType<Ajv["compile"]> | undefined;

function validator() {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    compiled = ajv.compile(JSON.parse(readFileSync(schemaFile, "utf8")));
  }
  return compiled;
}

export function validatePipeline(src: YamlSource): PipelineDef {
  const validate = validator();
  if (validate(src.data)) return src.data as PipelineDef;
  const err = pickError(validate.errors ?? []);
  const path: YamlPath = err.instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  let what: string;
  switch (err.keyword) {
    case "additionalProperties":
      path.push(String(err.params.additionalProperty));
      what = `unknown key '${err.params.additionalProperty}'`;
      break;
    case "required":
      what = `missing required key '${err.params.missingProperty}'`;
      break;
    case "type":
      what = `expected ${err.params.type}, got ${describe(valueAt(src.data, path))}`;
      break;
    case "const":
      what = `expected ${JSON.stringify(err.params.allowedValue)}`;
      break;
    case "pattern":
      what = `'${valueAt(src.data, path)}' does not match ${err.params.pattern}`;
      break;
    case "propertyNames":
      what = `invalid name '${err.params.propertyName}'`;
      break;
    default:
      what = err.message ?? err.keyword;
  }
  throw new FlowError("pipeline-invalid", `${src.locate(path)}: ${what}`);
}

// ajv reports every failed oneOf branch; the most specific error is the deepest
// non-combinator one.
function pickError(errors: ErrorObject[]): ErrorObject {
  const useful = errors.filter((e) => !["oneOf", "anyOf", "if"].includes(e.keyword));
  const pool = useful.length ? useful : errors;
  const rank = (e: ErrorObject) =>
    e.instancePath.split("/").length * 10 + (e.keyword === "additionalProperties" ? 3 : e.keyword === "required" ? 2 : e.keyword === "type" ? 1 : 0);
  return pool.reduce((a, b) => (rank(b) > rank(a) ? b : a));
}

function valueAt(data: unknown, path: YamlPath): unknown {
  let v: unknown = data;
  for (const k of path) v = v && typeof v === "object" ? (v as Record<string, unknown>)[k as string] : undefined;
  return v;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  return `${typeof v} ${JSON.stringify(v)}`;
}
