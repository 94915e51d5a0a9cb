// Run history: every `flow run` gets a time-ordered id and one append-only file,
// `.flow/runs/<id>.jsonl`: a header (command line, params, executor, start), one line per
// node that ran, was restored, failed or was skipped (when, how long, CPU, peak RSS,
// bytes, where, which attempt), and an end line with the counts. A run killed with -9 has
// no end line and is listed as such. Up-to-date nodes are counted, not listed: a no-op
// over 10⁵ nodes writes two lines.
import { mkdirSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { appendLine } from "../host/temp.js";
import { listDir, readJsonLines, type Warn } from "../host/records.js";
import { redactValue } from "../host/redact.js";
import type { ParamValue } from "../model/graph-node.js";
import type { Usage } from "../model/usage.js";

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

export type Outcome = "ran" | "restored" | "up-to-date" | "failed" | "skipped";

/** One node in a run: what happened, when, and what it cost. */
export interface RunNode extends Usage {
  type: "node";
  id: string;
  task: string;
  vars: Record<string, string>;
  outcome: Outcome;
  start: string;
  end: string;
  ms: number;
  /** why it was not up to date */
  reasons?: string[];
  error?: string;
  /** why it failed: task-failed, crashed, input-changed, … (lifecycle/result.ts) */
  reason?: string;
  key?: string;
  /** which attempt (resources.retries), from 1; a retried node has one line per attempt */
  attempt?: number;
}

export type RunStatus = "ok" | "failed" | "interrupted";
export interface RunEnd {
  type: "end";
  end: string;
  wallMs: number;
  status: RunStatus;
  counts: Record<"ran" | "restored" | "upToDate" | "failed" | "skipped", number>;
  /** outputs of nodes no longer in the graph, removed after the run */
  removed?: string[];
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

export class RunLog {
  readonly file: string;
  private ended = false;

  constructor(
    readonly dir: string,
    readonly header: RunHeader,
  ) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `${header.id}.jsonl`);
    appendLine(this.file, JSON.stringify({ ...header, argv: redactValue(header.argv), params: redactValue(header.params) }));
  }

  node(n: RunNode) {
    if (this.ended || n.outcome === "up-to-date") return;
    appendLine(this.file, JSON.stringify({ ...n, error: n.error === undefined ? undefined : redactValue(n.error) }));
  }

  finish(end: Omit<RunEnd, "type" | "end">): RunEnd {
    const line: RunEnd = { type: "end", end: new Date().toISOString(), ...end };
    if (!this.ended) appendLine(this.file, JSON.stringify(line));
    this.ended = true;
    return line;
  }
}

export function runIds(dir: string): string[] {
  return listDir(dir)
    .filter((f) => f.endsWith(".jsonl"))
    .map((f) => f.slice(0, -6))
    .sort();
}

export function readRun(dir: string, id: string, warn?: Warn): RunInfo | undefined {
  let header: RunHeader | undefined;
  let end: RunEnd | undefined;
  const nodes: RunNode[] = [];
  for (const v of readJsonLines<RunHeader | RunNode | RunEnd>(join(dir, `${id}.jsonl`), "run", warn)) {
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
