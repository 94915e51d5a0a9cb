// Run history: every `flow run` gets a time-ordered id and one append-only file,
// `.flow/runs/<id>.jsonl`: a header (command line, params, executor, start), one line per
// node that ran, was restored, failed or was skipped (when, how long, CPU, peak RSS, bytes,
// where), and an end line with the counts. A run killed with -9 has no end line and is
// listed as such. Up-to-date nodes are counted, not listed: a no-op over 10⁵ nodes
// writes two lines. It is a Logger: it sees exactly the events the reporters see.
import { readdirSync, readFileSync, mkdirSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { appendLine } from "../store/atomic.js";
import type { FlowEvent, Logger, Outcome, Summary } from "../report/events.js";
import type { ParamValue } from "../pipeline/types.js";
import type { Usage } from "../exec/types.js";

export interface RunHeader {
  type: "run";
  id: string;
  start: string;
  argv: string[];
  pipeline: string;
  params: Record<string, ParamValue>;
  executor: string;
  jobs: number;
  host: string;
  flowVersion: string;
}

/** One node in a run: what happened, when, and what it cost (Usage). */
export interface RunNode extends Usage {
  type: "node";
  id: string;
  task: string;
  vars: Record<string, string>;
  outcome: Outcome;
  start: string;
  end: string;
  ms: number;
  reasons?: string[];
  error?: string;
  key?: string;
}

export type RunStatus = "ok" | "failed" | "interrupted";
export interface RunEnd {
  type: "end";
  end: string;
  wallMs: number;
  status: RunStatus;
  counts: Record<"ran" | "restored" | "upToDate" | "failed" | "skipped", number>;
}

export interface RunInfo {
  header: RunHeader;
  nodes: RunNode[];
  end?: RunEnd;
}

/** A sortable id: the UTC start time to the millisecond, and 4 random hex digits. */
export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, "").replace(".", "-")}-${randomBytes(2).toString("hex")}`;
}

/** Credentials out of anything recorded: URLs anywhere in a string lose their user:password. */
export function redactValue<T extends ParamValue | string[]>(v: T): T {
  if (typeof v === "string") return v.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, "$1***@") as T;
  if (Array.isArray(v)) return v.map((x) => redactValue(x as ParamValue)) as T;
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactValue(x)])) as T;
  return v;
}

export class RunLog implements Logger {
  readonly file: string;
  private readonly reasons = new Map<string, string[]>();
  private ended = false;

  constructor(
    readonly dir: string,
    readonly header: RunHeader,
    private readonly nodeInfo: (id: string) => { task: string; vars: Record<string, string> } | undefined,
  ) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `${header.id}.jsonl`);
    appendLine(this.file, JSON.stringify({ ...header, argv: redactValue(header.argv), params: redactValue(header.params) }));
  }

  emit(e: FlowEvent) {
    if (this.ended) return;
    if (e.type === "node-start" && e.reasons?.length) this.reasons.set(e.id, e.reasons);
    if (e.type !== "node-done" || e.outcome === "up-to-date") return;
    const info = this.nodeInfo(e.id);
    const startMs = e.startedAt ?? Date.now() - e.ms;
    const line: RunNode = {
      type: "node",
      id: e.id,
      task: info?.task ?? e.id,
      vars: info?.vars ?? {},
      outcome: e.outcome,
      start: new Date(startMs).toISOString(),
      end: new Date(startMs + e.ms).toISOString(),
      ms: e.ms,
      reasons: this.reasons.get(e.id),
      error: e.error ? redactValue(e.error) : undefined,
      key: e.key,
      ...e.usage,
    };
    this.reasons.delete(e.id);
    appendLine(this.file, JSON.stringify(line));
  }

  finish(s: Pick<Summary, "ran" | "restored" | "upToDate" | "failed" | "skipped">, status: RunStatus, wallMs: number): RunEnd {
    const end: RunEnd = {
      type: "end",
      end: new Date().toISOString(),
      wallMs,
      status,
      counts: { ran: s.ran.length, restored: s.restored.length, upToDate: s.upToDate.length, failed: s.failed.length, skipped: s.skipped.length },
    };
    if (!this.ended) appendLine(this.file, JSON.stringify(end));
    this.ended = true;
    return end;
  }
}

export function runIds(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith(".jsonl"))
      .map((f) => f.slice(0, -6))
      .sort();
  } catch {
    return [];
  }
}

export function readRun(dir: string, id: string): RunInfo | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, `${id}.jsonl`), "utf8");
  } catch {
    return undefined;
  }
  let header: RunHeader | undefined;
  let end: RunEnd | undefined;
  const nodes: RunNode[] = [];
  for (const l of text.split("\n")) {
    if (!l) continue;
    let v: RunHeader | RunNode | RunEnd;
    try {
      v = JSON.parse(l);
    } catch {
      continue;
    } // a line torn by a crash
    if (v.type === "run") header = v;
    else if (v.type === "node") nodes.push(v);
    else if (v.type === "end") end = v;
  }
  return header ? { header, nodes, end } : undefined;
}

/** A run id given as "last", "last~1", a unique prefix, or in full. */
export function resolveRunId(dir: string, want: string): string | undefined {
  const ids = runIds(dir);
  const back = /^last(?:~(\d+))?$/.exec(want);
  if (back) return ids[ids.length - 1 - Number(back[1] ?? 0)];
  const hits = ids.filter((i) => i.startsWith(want));
  return hits.length === 1 ? hits[0] : undefined;
}

export const TRACE_COLUMNS = [
  "node",
  "task",
  "params",
  "state",
  "start",
  "end",
  "wall_s",
  "cpu_s",
  "peak_rss_mb",
  "bytes_read",
  "bytes_written",
  "executor",
  "job_id",
];

/** The run as a Nextflow-style trace: one tab-separated row per node. */
export function traceTsv(run: RunInfo): string {
  const cell = (v: unknown) => (v === undefined || v === null ? "-" : String(v).replace(/[\t\n]/g, " "));
  const rows = run.nodes.map((n) =>
    [
      n.id,
      n.task,
      Object.entries(n.vars)
        .map(([k, v]) => `${k}=${v}`)
        .join(",") || "-",
      n.outcome,
      n.start,
      n.end,
      (n.ms / 1000).toFixed(3),
      n.cpuMs === undefined ? undefined : (n.cpuMs / 1000).toFixed(2),
      n.maxRssMb,
      n.readBytes,
      n.writeBytes,
      n.lane?.startsWith("slurm") ? "slurm" : n.lane === "head" ? "cache" : "local",
      n.jobId,
    ]
      .map(cell)
      .join("\t"),
  );
  return [TRACE_COLUMNS.join("\t"), ...rows].join("\n") + "\n";
}

export function writeTrace(file: string, run: RunInfo) {
  writeFileSync(file, traceTsv(run));
}
