// `flow log`: what happened. Provenance records of executed nodes (the default), the run
// history (--runs), what one run did to each node (--run ID), and what a task printed
// (--output).
import { splitFile, commonInput, str, flag, type CommandSpec, type Values } from "../options.js";
import { openSession, type Io } from "../io.js";
import type { Session } from "../../session/session.js";
import { parseArgsToSelection, checkSelectorKeys, selectFromArgs, matches } from "../../plan/select.js";
import { readRun, resolveRunId, runIds, type RunInfo, type RunNode } from "../../records/runs.js";
import { readTaskOutput } from "../../records/task-output.js";
import { FlowError } from "../../errors.js";
import { terminalSafe } from "../terminal.js";

const secs = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`);
const opt = (v: number | undefined, f: (x: number) => string) => (v === undefined ? "–" : f(v));

type Match = (node: string, task: string, vars: Record<string, string>) => boolean;

/** What a task printed in its last execution (of one run, with --run); on a terminal, its control sequences are shown, not obeyed. */
function showOutput(
  session: Session,
  io: Io,
  match: Match,
  runArg: string | undefined,
  what: string,
  verbose: boolean,
  warn: (m: string) => void,
): number {
  const runsDir = session.workspace.runsDir;
  const inRun = runArg ? new Set(loadRun(runsDir, runArg, warn).nodes.map((n) => n.key)) : undefined;
  const recs = session
    .provenance()
    .all()
    .filter((r) => match(r.node, r.task, r.vars) && (!inRun || inRun.has(r.key)));
  const last = new Map(recs.map((r) => [r.node, r]));
  if (last.size === 0)
    throw new FlowError(
      "selector-invalid",
      `no executed node matches ${what || "(all)"}${runArg ? ` in run ${runArg}` : ""}: only nodes that ran or failed have output`,
    );
  const show = (s: string) => io.out(io.isTTY ? terminalSafe(s) : s);
  for (const r of last.values()) {
    const text = readTaskOutput(session.cacheDir, r.key);
    if (last.size > 1 || verbose) io.out(`── ${r.node} (${r.status}, ${r.start})\n`);
    // executions recorded with a run id keep their output; none means it printed nothing
    show(text !== undefined ? text : r.run ? "(the task printed nothing)\n" : "(no output was kept for this execution)\n");
  }
  return 0;
}

/** What one run did to each selected node. */
function showRun(runsDir: string, io: Io, match: Match, runArg: string, json: boolean, warn: (m: string) => void): number {
  const run = loadRun(runsDir, runArg, warn);
  const nodes = run.nodes.filter((n) => match(n.id, n.task, n.vars));
  if (json) io.out(JSON.stringify({ ...run, nodes }) + "\n");
  else {
    io.out(`${describeRun(run)}\n`);
    for (const n of nodes) io.out(nodeLine(n));
  }
  return 0;
}

/** The provenance records of the selected nodes. */
function showRecords(session: Session, io: Io, match: Match, json: boolean, verbose: boolean): number {
  const recs = session
    .provenance()
    .all()
    .filter((r) => match(r.node, r.task, r.vars));
  if (json) io.out(JSON.stringify(recs) + "\n");
  else
    for (const r of recs) {
      const ms = Date.parse(r.end) - Date.parse(r.start);
      io.out(
        `${r.start}  ${r.status.padEnd(6)} ${r.node}  ${secs(ms)}  cpu ${opt(r.cpuMs, (x) => secs(x))}  rss ${opt(r.maxRssMb, (x) => `${x} MB`)}  key ${r.key.slice(0, 12)}  code ${r.code.version.slice(0, 12)}  ${r.host}${r.run ? `  run ${r.run}` : ""}\n`,
      );
      if (verbose) {
        for (const i of r.inputs) io.out(`    in  ${i.name}: ${i.path} ${i.hash.slice(0, 12)}\n`);
        for (const o of r.outputs) io.out(`    out ${o.name}: ${o.path} ${o.hash.slice(0, 12)}\n`);
      }
      if (r.error) io.out(`    error: ${r.error}\n`);
    }
  return 0;
}

async function logCommand(positionals: string[], values: Values, io: Io): Promise<number> {
  const { file, rest } = splitFile(positionals);
  const { sels, targets } = parseArgsToSelection(rest);
  const input = commonInput(values, file);
  // The records need no graph beyond its names: before `prepare:` has made the inputs,
  // the history of this workspace still shows (targets need the real graph).
  const session = await openSession(input, io, targets.length ? "plan" : "describe");
  try {
    const runsDir = session.workspace.runsDir;
    const warn = (m: string) => io.err(`warning: ${m}\n`);
    if (flag(values, "runs")) return listRuns(runsDir, io, input.json ?? false, warn);
    const pipeline = session.graph;
    checkSelectorKeys(pipeline.nodes, sels);
    // targets (node ids, output paths) name nodes of the current graph
    const ids = targets.length
      ? new Set(
          selectFromArgs(
            pipeline.nodes,
            targets.map((t) => t.target),
          ).map((n) => n.id),
        )
      : undefined;
    const match: Match = (node, task, vars) => (!ids || ids.has(node)) && matches({ task, vars }, sels);
    const runArg = str(values, "run");
    if (flag(values, "output")) return showOutput(session, io, match, runArg, rest.join(" "), !!input.verbose, warn);
    if (runArg) return showRun(runsDir, io, match, runArg, !!input.json, warn);
    return showRecords(session, io, match, !!input.json, !!input.verbose);
  } finally {
    await session.close();
  }
}

function loadRun(dir: string, want: string, warn: (m: string) => void): RunInfo {
  const id = resolveRunId(dir, want);
  const run = id ? readRun(dir, id, warn) : undefined;
  if (!run) {
    const ids = runIds(dir);
    throw new FlowError(
      "selector-invalid",
      `--run ${want}: no such run${ids.length ? ` (runs: last, last~1, … or an id such as ${ids[ids.length - 1]}; see flow log --runs)` : " (no run recorded yet)"}`,
    );
  }
  return run;
}

function describeRun(r: RunInfo): string {
  const c = r.end?.counts;
  const status = r.end ? r.end.status : "no end recorded (killed, or still running)";
  const counts = c
    ? `${c.ran} ran, ${c.restored} restored, ${c.upToDate} up to date, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ""}`
    : `${r.nodes.length} nodes recorded`;
  const wall = r.end ? secs(r.end.wallMs) : "?";
  return `${r.header.id}  ${status.padEnd(11)} ${wall.padStart(8)}  ${counts}  ${r.header.executor}  flow ${r.header.argv.join(" ")}`;
}

function nodeLine(n: RunNode): string {
  const usage = [`cpu ${opt(n.cpuMs, (x) => secs(x))}`, `rss ${opt(n.maxRssMb, (x) => `${x} MB`)}`, ...(n.lane ? [n.lane] : [])].join("  ");
  return `  ${n.outcome.padEnd(9)} ${n.id}${n.attempt ? ` (attempt ${n.attempt})` : ""}  ${secs(n.ms)}  ${usage}${n.error ? `\n    error: ${n.error}` : ""}\n`;
}

function listRuns(dir: string, io: Io, json: boolean, warn: (m: string) => void): number {
  const runs = runIds(dir)
    .map((id) => readRun(dir, id, warn))
    .filter((r): r is RunInfo => !!r);
  if (json) io.out(JSON.stringify(runs.map((r) => ({ ...r.header, end: r.end, nodes: r.nodes.length }))) + "\n");
  else if (runs.length === 0) io.out("no run recorded yet\n");
  else for (const r of runs) io.out(`${describeRun(r)}\n`);
  return 0;
}

export const log: CommandSpec = {
  name: "log",
  summary: "what happened: runs, node records, task output",
  description: [
    "Without options: the provenance records of executed nodes — node, key, code version, params, inputs and outputs with their hashes, start and end, CPU time, peak RSS, host, status.",
    "",
    "--runs lists every run (id, outcome, duration, counts, command line); --run ID (or last, last~1) shows what that run did to each node: ran, restored, failed or skipped, with duration, CPU time, peak RSS and where it ran; --output prints what a task printed (stdout, stderr, its log lines; the last 64 kB) in its last execution (on a terminal, its control sequences are shown, not obeyed).",
    "",
    "Selectors: key=value (stimulus=dot_motion, task=bin), a node id, or an output path.",
  ].join("\n"),
  args: "[file] [selector…]",
  options: [
    { flags: "--runs", description: "list the runs" },
    { flags: "--run <id>", description: "what one run did (an id, a prefix of one, last, last~1, …)" },
    { flags: "--output", description: "what the selected tasks printed in their last execution" },
  ],
  run: logCommand,
};
