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
  const takesValue = new Set(Object.entries(all).filter(([, o]) => o.type === "string").flatMap(([k, o]) => [`--${k}`, ...("short" in o && o.short ? [`-${o.short}`] : [])]));
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (takesValue.has(a) && i + 1 < argv.length && argv[i + 1]!.startsWith("-")) {
      args.push(`${a.startsWith("--") ? a : `--${Object.entries(all).find(([, o]) => "short" in o && `-${o.short}` === a)![0]}`}=${argv[++i]}`);
    } else args.push(a);
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
