// Reading back what flow wrote: the one place where every record — workspace state, run
// records, provenance, cache index entries, digest notes, cluster job files — is checked
// against its schema (schemas/records.schema.json). A record of the wrong shape (written
// by another flow version, by hand, or torn) is skipped with one warning naming the file
// and line; it never crashes a command and never counts as what it claims to be.
import { readFileSync, readdirSync } from "node:fs";
import { isAscii } from "node:buffer";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";

export type RecordKind = "state" | "run" | "provenance" | "index-entry" | "digest-note" | "slurm-job" | "slurm-result";

const SCHEMA = fileURLToPath(new URL("../../schemas/records.schema.json", import.meta.url));
let ajv: Ajv | undefined;
const validators = new Map<RecordKind, ValidateFunction>();

function validator(kind: RecordKind): ValidateFunction {
  let v = validators.get(kind);
  if (!v) {
    if (!ajv) {
      ajv = new Ajv({ allErrors: false, strict: false });
      ajv.addSchema(JSON.parse(readFileSync(SCHEMA, "utf8")));
    }
    v = ajv.getSchema(`https://flow.local/schemas/records.schema.json#/definitions/${kind}`)!;
    validators.set(kind, v);
  }
  return v;
}

/** Where a skipped record is reported (a command's logger, or stderr). */
export type Warn = (message: string) => void;
export const warnOnStderr: Warn = (m) => process.stderr.write(`warning: ${m}\n`);

/** Whether a value is a valid record of this kind; else why not (ajv's first error). */
export function checkRecord(kind: RecordKind, value: unknown): string | undefined {
  const v = validator(kind);
  if (v(value)) return undefined;
  const e = v.errors?.[0];
  return e ? `${e.instancePath || "the record"} ${e.message}` : "not valid";
}

/**
 * The records of a JSON-lines file, in order. A missing file has none. A last line
 * without its newline is a write torn by a crash: dropped quietly. Any other line that
 * does not parse or does not match its schema is skipped, and the file gets one warning
 * (its first bad line, and how many).
 */
export function readJsonLines<T>(file: string, kind: RecordKind, warn: Warn = warnOnStderr): T[] {
  let text: string;
  try {
    const buf = readFileSync(file);
    // ASCII (what flow writes, unless a value holds other characters) decodes as latin1
    // at memory speed; UTF-8 decoding of a large state file is not free
    text = isAscii(buf) ? buf.toString("latin1") : buf.toString("utf8");
  } catch {
    return [];
  }
  const lines = text.split("\n");
  const torn = lines.length > 0 && lines[lines.length - 1] !== "";
  const out: T[] = [];
  let bad = 0;
  let first = "";
  lines.forEach((line, i) => {
    if (!line.trim() || (torn && i === lines.length - 1)) return;
    const { v, why } = parseRecord(line, kind);
    if (why === undefined) out.push(v as T);
    else if (bad++ === 0) first = `${file}:${i + 1}: ${why}`;
  });
  if (bad) warn(`${first} — skipped${bad > 1 ? ` (and ${bad - 1} more line${bad > 2 ? "s" : ""} of that file)` : ""}: not a valid ${kind} record`);
  return out;
}

/** One JSON record file, checked; undefined (with a warning) when it is missing, torn or of the wrong shape. */
export function readJsonRecord<T>(file: string, kind: RecordKind, warn: Warn = warnOnStderr, quietIfMissing = true): T | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    if (!quietIfMissing) warn(`${file}: missing`);
    return undefined;
  }
  const { v, why } = parseRecord(text, kind);
  if (why === undefined) return v as T;
  warn(`${file}: ${why} — skipped: not a valid ${kind} record`);
  return undefined;
}

/** The names in a folder (none if it does not exist). */
export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** One record's text parsed and checked against its schema: the value, or why it is not one. */
function parseRecord(text: string, kind: RecordKind): { v?: unknown; why?: string } {
  try {
    const v: unknown = JSON.parse(text);
    return { v, why: checkRecord(kind, v) };
  } catch {
    return { why: "not JSON" };
  }
}
