// Options every command shares: the pipeline file, --set, the cache location.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { existsSync } from "node:fs";
import { FlowError } from "../errors.js";

export const commonOptions = {
  set: { type: "string", multiple: true, short: "s" },
  "cache-dir": { type: "string" },
  "cache-url": { type: "string" },
  json: { type: "boolean" },
  verbose: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

export const commonHelp = `
Common options:
  [file]                 the pipeline file (default ./pipeline.yaml)
  --set name=value       override a param (repeatable)
  --cache-dir DIR        object store and index folder (default ./cache; env FLOW_CACHE_DIR)
  --cache-url URL        keyv index backend, e.g. redis://… (env FLOW_CACHE_URL)
  --json                 machine-readable output
  -v, --verbose          task log lines, and stack traces of unexpected errors
  -h, --help             this help`;

export function parse<O extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: O) {
  const all = { ...commonOptions, ...options };
  // A string option takes the next word as its value even when it starts with a dash
  // (`--slurm-opt "--mem=8G"`), which node's parseArgs would refuse.
  const valueFlags = new Map<string, string>(); // "--set" and "-s" → "set"
  for (const [name, o] of Object.entries(all)) {
    if (o.type !== "string") continue;
    valueFlags.set(`--${name}`, name);
    if ("short" in o && o.short) valueFlags.set(`-${o.short}`, name);
  }
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = valueFlags.get(argv[i]!);
    if (name && i + 1 < argv.length && argv[i + 1]!.startsWith("-")) args.push(`--${name}=${argv[++i]}`);
    else args.push(argv[i]!);
  }
  try {
    return parseArgs({ args, options: all, allowPositionals: true, strict: true });
  } catch (e) {
    throw new FlowError("usage", (e as Error).message.replace(/\. To specify.*$/, ""));
  }
}

/** Splits positionals into the pipeline file and the rest (selectors or arguments). */
export function splitFile(positionals: string[]): { file: string; rest: string[] } {
  const first = positionals[0];
  if (first && !first.includes("=") && (/\.ya?ml$/.test(first) || existsSync(first))) {
    return { file: first, rest: positionals.slice(1) };
  }
  return { file: "pipeline.yaml", rest: positionals };
}
