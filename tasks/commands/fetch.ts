// `flow fetch [<cache_dir> [<source_url>]]`: fills an AllenSDK cache folder from the
// Allen Brain Observatory's public bucket (or any server with the same layout) — no
// AllenSDK needed. pipeline.yaml runs it as a `prepare:` step whenever `allen_source`
// is set; `pending()` tells `flow status` what is missing without a network request.
//
// What is fetched: the cache's tables (manifest.json and the four CSVs), then the
// session NWB files of the sessions that sessions.csv lists, restricted by
// `session_ids` / `session_types` exactly as the pipeline's `session` set restricts
// them. A file already present is never fetched again; LFP files are never fetched.
import { appendFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { join, relative, resolve, isAbsolute } from "node:path";
import {
  FlowError,
  redactUrl,
  tableSet,
  type CommandCli,
  type CommandContext,
  type CommandFn,
  type CommandInput,
  type PendingFn,
} from "#flow/command";
import { checkHdf5File } from "../formats/nwb/open.js";
import { download, gb, partialBytes, type Fetched } from "./fetch/download.js";
import { Progress } from "./fetch/progress.js";
import { Space } from "./fetch/space.js";
import { tableProblem } from "./fetch/table-check.js";

/** The bucket that holds the AllenSDK cache of the Visual Coding – Neuropixels dataset. */
export const ALLEN_BUCKET = "https://allen-brain-observatory.s3.us-west-2.amazonaws.com/visual-coding-neuropixels/ecephys-cache/";
export const TABLES = ["manifest.json", "sessions.csv", "probes.csv", "channels.csv", "units.csv"];
export const nwbOf = (id: string) => `session_${id}/session_${id}.nwb`;
/** One JSON line per fetched file: where it came from (URL, ETag, size, Last-Modified, MD5). */
export const PROVENANCE = "fetch-provenance.jsonl";

export const cli: CommandCli = {
  args: "[cache_dir] [source_url]",
  description: `cache_dir is the AllenSDK cache folder to fill (default: the allen_cache param); source_url a server with the cache's layout (default: the allen_source param), e.g. ${ALLEN_BUCKET}`,
  options: [
    { flags: "--session-ids <ids>", description: "only these sessions, comma-separated (default: the session_ids param; empty = all)" },
    { flags: "--session-types <types>", description: "only sessions of these types, e.g. brain_observatory_1.1 (default: the session_types param)" },
    { flags: "--connections <n>", description: "parallel downloads (default: the fetch_connections param, else 4)" },
    { flags: "--retries <n>", description: "attempts after a 5xx or a dropped connection, with backoff (default 5)" },
  ],
};

interface Settings {
  dir: string;
  source: string;
  ids: string[];
  types: string[];
  connections: number;
  retries: number;
  /** the download knobs tests turn (FLOW_FETCH_*): backoff, silence, and the minimum rate over a window */
  backoffMs: number;
  idleTimeoutMs: number;
  minRate: number;
  stallWindowMs: number;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined || v === "" ? [] : [String(v)]);
const splitList = (s: string | undefined) =>
  s === undefined
    ? undefined
    : s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean);

function settings({ args, options }: CommandInput, ctx: Pick<CommandContext, "root" | "params">): Settings {
  const values = options as Record<string, string | undefined>;
  const int = (name: string, v: string | undefined, dflt: unknown, min: number, max: number) => {
    const n = Number(v ?? dflt);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new FlowError("usage", `flow fetch: --${name} ${v ?? dflt}: expected a whole number from ${min} to ${max}`);
    return n;
  };
  const source = args[1] ?? String(ctx.params.allen_source ?? "");
  return {
    dir: resolve(ctx.root, args[0] ?? String(ctx.params.allen_cache ?? "")),
    source: source && !source.endsWith("/") ? `${source}/` : source,
    ids: splitList(values["session-ids"]) ?? list(ctx.params.session_ids),
    types: splitList(values["session-types"]) ?? list(ctx.params.session_types),
    connections: int("connections", values.connections, ctx.params.fetch_connections ?? 4, 1, 64),
    retries: int("retries", values.retries, 5, 0, 100),
    backoffMs: Number(process.env.FLOW_FETCH_BACKOFF_MS ?? 1000),
    idleTimeoutMs: Number(process.env.FLOW_FETCH_IDLE_TIMEOUT_MS ?? 60_000),
    minRate: Number(process.env.FLOW_FETCH_MIN_RATE ?? 1024),
    stallWindowMs: Number(process.env.FLOW_FETCH_STALL_WINDOW_MS ?? 30_000),
  };
}

/** The selected session ids, read from the local sessions.csv (the same rule as the pipeline's set). */
function selected(s: Settings): string[] {
  return tableSet(
    { file: join(s.dir, "sessions.csv"), column: "id", where: { id: "session_ids", session_type: "session_types" } },
    { session_ids: s.ids, session_types: s.types },
    "flow fetch",
    "session",
  );
}

function missingSessions(s: Settings): string[] {
  return selected(s).filter((id) => !existsSync(destination(s.dir, nwbOf(id))));
}

/**
 * Where a file of the cache goes: under the cache folder, whatever a table said. (Session
 * ids are checked by the set's own rule in tableSet — no '/', no '..' — and every path is
 * checked here again.)
 */
function destination(dir: string, rel: string): string {
  const dest = resolve(dir, rel);
  const r = relative(dir, dest);
  if (r === "" || r.startsWith("..") || isAbsolute(r))
    throw new FlowError("input-missing", `flow fetch: ${rel} would be written outside ${dir}: refused`);
  return dest;
}

/** The tables that are not here, or not what they should be (an HTML page kept by an older fetch): those are fetched (again). */
function tablesToFetch(s: Settings, log?: (m: string) => void): string[] {
  return TABLES.filter((t) => {
    const p = join(s.dir, t);
    if (!existsSync(p)) return true;
    const bad = tableProblem(t, p);
    if (bad && log) {
      log(`fetch: ${t} here is not a valid table (${bad}): fetching it again`);
      rmSync(p);
    }
    return !!bad;
  });
}

export const pending: PendingFn = (input, ctx) => {
  const s = settings(input, ctx);
  if (!s.source) return undefined;
  const from = `from ${redactUrl(s.source)}`;
  const tables = tablesToFetch(s);
  if (tables.includes("sessions.csv")) return `fetches ${from} into ${s.dir}: sessions.csv, then the sessions it lists`;
  const missing = missingSessions(s);
  if (missing.length === 0 && tables.length === 0) return undefined;
  const named = missing.slice(0, 8).map((id) => {
    const part = partialBytes(join(s.dir, nwbOf(id)));
    return part ? `${id} (${gb(part)} fetched)` : id;
  });
  const more = missing.length > named.length ? `, … and ${missing.length - named.length} more` : "";
  const what = missing.length ? `${missing.length} session${missing.length === 1 ? "" : "s"} missing locally (${named.join(", ")}${more})` : "";
  return `fetches ${from} into ${s.dir}: ${[tables.length ? tables.join(", ") : "", what].filter(Boolean).join("; ")}`;
};

export const command: CommandFn = async (input, ctx) => {
  const s = settings(input, ctx);
  if (!/^https?:\/\/[^/]+/.test(s.source)) {
    throw new FlowError("usage", `flow fetch: no source URL (give one, or --set allen_source=${ALLEN_BUCKET})`);
  }
  mkdirSync(s.dir, { recursive: true });
  // Two fetches into one folder would write the same .partial files.
  await ctx.exclusive(join(s.dir, ".fetch.lock"), "flow fetch", () => fetchMissing(s, ctx));
  return 0;
};

/** Failures as one message: one cause seen by every file (a refused connection) is said once. */
function failureText(failures: string[], source: string): string {
  const causes = new Set(failures.map((f) => f.replace(/^\S+: /, "")));
  if (failures.length > 1 && causes.size === 1) return `${redactUrl(source)}…: ${[...causes][0]} (${failures.length} files)`;
  return failures.length === 1 ? failures[0]! : `${failures.length} files failed:\n  ${failures.join("\n  ")}`;
}

async function fetchMissing(s: Settings, ctx: Pick<CommandContext, "log">) {
  const tty = process.stderr.isTTY && !process.env.CI ? process.stderr : undefined;
  const space = new Space();
  const fetchAll = async (paths: string[]) => {
    if (paths.length === 0) return;
    const progress = new Progress(paths.length, ctx.log, tty);
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      // After a failure no new file is started; those in flight finish and are kept.
      while (next < paths.length && failures.length === 0) {
        const rel = paths[next++]!;
        const dest = destination(s.dir, rel);
        mkdirSync(join(dest, ".."), { recursive: true });
        const url = new URL(rel, s.source).href;
        try {
          const got = await download(url, dest, {
            retries: s.retries,
            backoffMs: s.backoffMs,
            idleTimeoutMs: s.idleTimeoutMs,
            minRate: s.minRate,
            stallWindowMs: s.stallWindowMs,
            space,
            onStart: (size, offset) => progress.start(rel, size, offset),
            onBytes: (n) => progress.bytes(rel, n),
            onRetry: (why, attempt, wait) => progress.retry(rel, why, attempt, wait),
            onNote: (m) => ctx.log(`fetch: ${rel}: ${m}`),
            verify: rel.endsWith(".nwb") ? (p) => checkHdf5File(p) : TABLES.includes(rel) ? (p) => verifyTable(rel, p) : undefined,
          });
          record(s.dir, rel, got);
          progress.finish(rel);
        } catch (e) {
          progress.fail(rel);
          failures.push(redactUrl(url) === url ? (e as Error).message : (e as Error).message.replaceAll(url, redactUrl(url)));
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(s.connections, paths.length) }, worker));
    } finally {
      progress.stop();
    }
    if (failures.length) {
      const kept = paths.filter((p) => existsSync(join(s.dir, p))).length;
      throw new FlowError(
        "input-missing",
        `flow fetch: ${failureText(failures, s.source)}\n(${kept} of ${paths.length} files are complete and kept; run again to resume the rest)`,
      );
    }
  };
  // sessions.csv first: it says which sessions there are.
  await fetchAll(tablesToFetch(s, ctx.log));
  const missing = missingSessions(s);
  if (missing.length) ctx.log(`fetch: ${missing.length} session file${missing.length === 1 ? "" : "s"} from ${redactUrl(s.source)} into ${s.dir}`);
  await fetchAll(missing.map(nwbOf));
}

function verifyTable(name: string, path: string) {
  const bad = tableProblem(name, path);
  if (bad) throw new Error(bad);
}

function record(dir: string, rel: string, got: Fetched) {
  const { md5 } = got;
  const line = {
    path: rel,
    url: redactUrl(got.url),
    ...(got.finalUrl ? { redirected_to: redactUrl(got.finalUrl) } : {}),
    etag: got.etag ?? null,
    last_modified: got.lastModified ?? null,
    size: got.size,
    md5: md5 ?? null,
    resumed_from: got.resumedFrom,
    attempts: got.attempts,
    fetched_at: new Date().toISOString(),
  };
  appendFileSync(join(dir, PROVENANCE), JSON.stringify(line) + "\n");
}
