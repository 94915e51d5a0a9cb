// What a command declares about its command line, and the options every command shares.
// One parser (commander, in program.ts) reads them all and hands each command its
// positionals and its option values, keyed by the long flag name ("cache-dir").
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Io } from "./io.js";
import type { CommonInput } from "../session/config.js";

export interface OptionSpec {
  /** commander flags: "-j, --jobs <n>", "--json" */
  flags: string;
  description: string;
  /** may be given several times; the values come as a list */
  repeat?: boolean;
  /** a folder, file or URL: a value that starts with "-" is refused (`--cache-dir --json`) */
  noDash?: boolean;
}

export type Values = Record<string, string | string[] | boolean | undefined>;

export interface CommandSpec {
  name: string;
  /** one line, for `flow --help` */
  summary: string;
  /** more, for `flow <name> --help` */
  description?: string;
  /** the positional arguments, as help shows them: "[file] [selector…]" */
  args: string;
  options: OptionSpec[];
  /** flow's own plumbing (node-run): not listed */
  hidden?: boolean;
  /** takes no pipeline file (init) */
  noCommon?: boolean;
  run(positionals: string[], values: Values, io: Io): Promise<number>;
}

/** Options every pipeline command shares. */
export const commonOptions: OptionSpec[] = [
  { flags: "-s, --set <name=value>", description: "override a param (repeatable)", repeat: true },
  { flags: "--params <file>", description: "the params file (default: params.yaml beside the pipeline file, if there is one)", noDash: true },
  { flags: "--cache-dir <dir>", description: "object store and index folder (default ./cache; env FLOW_CACHE_DIR)", noDash: true },
  { flags: "--cache-url <url>", description: "keyv index backend, e.g. redis://host:6379 (env FLOW_CACHE_URL)", noDash: true },
  { flags: "--json", description: "machine-readable output" },
  { flags: "-v, --verbose", description: "task log lines, and stack traces of unexpected errors" },
];

export const str = (v: Values, k: string): string | undefined => (typeof v[k] === "string" ? (v[k] as string) : undefined);
export const list = (v: Values, k: string): string[] => (Array.isArray(v[k]) ? (v[k] as string[]) : []);
export const flag = (v: Values, k: string): boolean => v[k] === true;

/** The shared options as the configuration reads them. */
export function commonInput(v: Values, file: string): CommonInput {
  return {
    file,
    set: list(v, "set"),
    params: str(v, "params"),
    cacheDir: str(v, "cache-dir"),
    cacheUrl: str(v, "cache-url"),
    link: str(v, "link"),
    verbose: flag(v, "verbose"),
    json: flag(v, "json"),
  };
}

/**
 * Splits positionals into the pipeline file (a first argument ending in .yaml/.yml) and
 * the rest (selectors, targets or arguments). Without one, pipeline.yaml is looked for
 * in this folder and then upward, as git finds its repository.
 */
export function splitFile(positionals: string[], cwd = process.cwd()): { file: string; rest: string[] } {
  const first = positionals[0];
  if (first && !first.includes("=") && /\.ya?ml$/.test(first)) {
    return { file: first, rest: positionals.slice(1) };
  }
  return { file: findPipeline(cwd), rest: positionals };
}

export function findPipeline(cwd: string, name = "pipeline.yaml"): string {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const f = join(dir, name);
    if (existsSync(f)) return dir === resolve(cwd) ? name : f;
    if (dirname(dir) === dir) return name; // none: the error names ./pipeline.yaml
  }
}
