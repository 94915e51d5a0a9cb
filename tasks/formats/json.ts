// Intermediates are JSON; writing goes through one function so the bytes are stable
// (key order as built, no whitespace).
import { readFileSync, writeFileSync } from "node:fs";
import { TaskError } from "#flow/task";

export function writeJson(path: string, v: unknown) {
  writeFileSync(path, JSON.stringify(v));
}

export function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch (e) {
    throw new TaskError(`${path}: cannot read (${(e as Error).message})`);
  }
}
