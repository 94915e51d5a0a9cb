// The lab's secret for signing cache index entries: FLOW_CACHE_SECRET, or the file that
// FLOW_CACHE_SECRET_FILE names. Without one, entries are trusted as they are (docs/
// guarantees.md, threat model). A secret that is set must be one: a variable or a key
// file that is empty or blank (a `touch`ed file never filled, a failed `$(openssl rand …)`)
// is an error, never signing silently turned off.
import { readFileSync, statSync } from "node:fs";
import { FlowError } from "../errors.js";

export const MIN_SECRET_LENGTH = 16;

export interface CacheSecret {
  key: Buffer;
  /** where it came from, for messages */
  from: string;
  /** said once (a key file others can read) */
  warnings: string[];
}

function check(value: string, from: string) {
  const s = value.trim();
  if (s === "")
    throw new FlowError(
      "usage",
      `${from} is set but ${value === "" ? "empty" : "blank"}: give a real secret (e.g. the output of 'openssl rand -hex 32') or unset it`,
    );
  if (s.length < MIN_SECRET_LENGTH)
    throw new FlowError(
      "usage",
      `${from} is too short (${s.length} characters): use at least ${MIN_SECRET_LENGTH}, e.g. the output of 'openssl rand -hex 32'`,
    );
  if (new Set(s).size < 5)
    throw new FlowError("usage", `${from} is not a secret (${new Set(s).size} distinct characters): use the output of 'openssl rand -hex 32'`);
  return s;
}

/** The secret the environment sets, checked; undefined when neither variable is set. */
export function readCacheSecret(env: NodeJS.ProcessEnv): CacheSecret | undefined {
  const inline = env.FLOW_CACHE_SECRET;
  const file = env.FLOW_CACHE_SECRET_FILE;
  if (inline !== undefined && file !== undefined)
    throw new FlowError("usage", "both FLOW_CACHE_SECRET and FLOW_CACHE_SECRET_FILE are set: set one of them");
  if (inline !== undefined) return { key: Buffer.from(check(inline, "FLOW_CACHE_SECRET"), "utf8"), from: "FLOW_CACHE_SECRET", warnings: [] };
  if (file === undefined) return undefined;
  const from = `FLOW_CACHE_SECRET_FILE (${file})`;
  if (file.trim() === "") throw new FlowError("usage", `FLOW_CACHE_SECRET_FILE is set but empty: name the key file or unset it`);
  let text: string;
  let mode: number;
  try {
    text = readFileSync(file, "utf8");
    mode = statSync(file).mode;
  } catch (e) {
    throw new FlowError("io-error", `${from}: cannot read the key file (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  const warnings =
    mode & 0o077
      ? [
          `${from}: the key file is readable by ${mode & 0o070 ? "its group" : ""}${mode & 0o070 && mode & 0o007 ? " and " : ""}${mode & 0o007 ? "others" : ""} (mode ${(mode & 0o777).toString(8)}): 'chmod 600 ${file}'`,
        ]
      : [];
  return { key: Buffer.from(check(text, from), "utf8"), from, warnings };
}
