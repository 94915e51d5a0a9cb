// The one place where command-line options and environment variables are read and
// checked: every command gets a configuration, never process.env. A value that is wrong
// is one usage error naming the option or the variable.
import { cpus, totalmem } from "node:os";
import { FlowError } from "../errors.js";
import { LINK_MODES, type LinkMode } from "../cache/objects.js";
import { readCacheSecret, type CacheSecret } from "../cache/secret.js";
import { checkServerUrl } from "../host/redact.js";
import { parseSets, shownValue } from "../pipeline/params.js";

/** The options every command shares, as the CLI parsed them. */
export interface CommonInput {
  file: string;
  set?: string[];
  params?: string;
  cacheDir?: string;
  cacheUrl?: string;
  link?: string;
  verbose?: boolean;
  json?: boolean;
}

export interface FlowConfig {
  /** the pipeline file, as given */
  file: string;
  /** --set values, as typed */
  sets: Record<string, string>;
  /** --params FILE (else params.yaml beside the pipeline, when there is one) */
  paramsFile?: string;
  /** --cache-dir / FLOW_CACHE_DIR (relative to the workspace root) */
  cacheDir?: string;
  /** --cache-url / FLOW_CACHE_URL: a keyv server index */
  cacheUrl?: string;
  /** how long opening a server index may take (FLOW_CACHE_TIMEOUT_MS, default 5 s) */
  cacheTimeoutMs: number;
  /** --link / FLOW_LINK */
  link: LinkMode;
  /** FLOW_CACHE_SECRET / FLOW_CACHE_SECRET_FILE */
  secret?: CacheSecret;
  verbose: boolean;
  json: boolean;
  /** extra Node options for workers and the shell helper (FLOW_WORKER_NODE_OPTIONS, FLOW_SHELL_NODE_OPTIONS) */
  workerNodeOptions: string[];
  shellNodeOptions: string[];
}

export interface RunInput extends CommonInput {
  jobs?: string;
  keepGoing?: boolean;
  dryRun?: boolean;
  trace?: string;
  executor?: string;
  slurmPartition?: string;
  slurmOpt?: string[];
  slurmMaxJobs?: string;
}

export interface RunConfig extends FlowConfig {
  jobs: number;
  keepGoing: boolean;
  dryRun: boolean;
  trace?: string;
  executor: "local" | "slurm";
  slurm: { partition?: string; opts: string[]; maxJobs: number; pollMs?: number };
}

function linkMode(option: string | undefined, env: NodeJS.ProcessEnv): LinkMode {
  const expected = `expected ${LINK_MODES.join(", ")}`;
  if (option !== undefined) {
    if (!LINK_MODES.includes(option as LinkMode)) throw new FlowError("usage", `--link ${shownValue(option)}: ${expected}`);
    return option as LinkMode;
  }
  const v = env.FLOW_LINK;
  if (v === undefined) return "copy";
  if (v === "") throw new FlowError("usage", `FLOW_LINK is set but empty: ${expected}, or unset it`);
  if (!LINK_MODES.includes(v as LinkMode)) throw new FlowError("usage", `FLOW_LINK=${shownValue(v)}: ${expected}`);
  return v as LinkMode;
}

function positiveMs(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined || v === "") return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new FlowError("usage", `${name}=${JSON.stringify(v)}: expected a number of milliseconds > 0`);
  return n;
}

const words = (v: string | undefined) => v?.split(" ").filter(Boolean) ?? [];

export function readConfig(o: CommonInput, env: NodeJS.ProcessEnv = process.env): FlowConfig {
  const cacheUrl = o.cacheUrl ?? (env.FLOW_CACHE_URL || undefined);
  if (cacheUrl !== undefined) checkServerUrl(cacheUrl, o.cacheUrl !== undefined ? "--cache-url" : "FLOW_CACHE_URL");
  return {
    file: o.file,
    sets: parseSets(o.set ?? []),
    paramsFile: o.params,
    cacheDir: o.cacheDir ?? (env.FLOW_CACHE_DIR || undefined),
    cacheUrl,
    cacheTimeoutMs: positiveMs("FLOW_CACHE_TIMEOUT_MS", env.FLOW_CACHE_TIMEOUT_MS, 5000),
    link: linkMode(o.link, env),
    secret: readCacheSecret(env),
    verbose: !!o.verbose,
    json: !!o.json,
    workerNodeOptions: words(env.FLOW_WORKER_NODE_OPTIONS),
    shellNodeOptions: words(env.FLOW_SHELL_NODE_OPTIONS),
  };
}

function wholeNumber(option: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new FlowError("usage", `${option} ${v}: expected a whole number ≥ 1`);
  return n;
}

/** One worker per core, but no more than one per 2 GB of memory (a full session's worker peaks near 0.5 GB; a 64-core node with 64 GB gets 32). */
export function defaultJobs(): number {
  return Math.max(1, Math.min(cpus().length, Math.floor(totalmem() / 2 ** 31)));
}

export function readRunConfig(o: RunInput, env: NodeJS.ProcessEnv = process.env): RunConfig {
  const jobs = wholeNumber("--jobs", o.jobs, defaultJobs());
  const executor = o.executor ?? "local";
  if (executor !== "local" && executor !== "slurm") throw new FlowError("usage", `--executor ${executor}: expected local or slurm`);
  return {
    ...readConfig(o, env),
    jobs,
    keepGoing: !!o.keepGoing,
    dryRun: !!o.dryRun,
    trace: o.trace,
    executor,
    slurm: {
      partition: o.slurmPartition,
      opts: o.slurmOpt ?? [],
      maxJobs: wholeNumber("--slurm-max-jobs", o.slurmMaxJobs, jobs),
      pollMs: env.FLOW_SLURM_POLL_MS ? positiveMs("FLOW_SLURM_POLL_MS", env.FLOW_SLURM_POLL_MS, 1000) : undefined,
    },
  };
}
