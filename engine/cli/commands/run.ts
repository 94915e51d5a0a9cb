import { cpus, totalmem } from "node:os";
import { splitFile, common, str, list, type CommandSpec, type Values } from "../args.js";
import { openContext, type Io } from "../context.js";
import { selectFromArgs } from "../../plan/select.js";
import { runPipeline } from "../../schedule/scheduler.js";
import { LocalExecutor } from "../../exec/local.js";
import { SlurmExecutor } from "../../exec/slurm.js";
import type { Executor } from "../../exec/types.js";
import { parseSets } from "../../pipeline/params.js";
import { Planner } from "../../plan/plan.js";
import { PlainReporter, TtyReporter, formatSummary } from "../../report/reporters.js";
import { FlowError } from "../../errors.js";
import type { Logger } from "../../report/events.js";
import { onInterrupt, describeInterrupt, isInterrupting } from "../interrupt.js";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { RunLog, newRunId, readRun, writeTrace } from "../../records/runs.js";
import { FLOW_VERSION } from "../../version.js";

async function runCommand(positionals: string[], values: Values, io: Io): Promise<number> {
  const { file, rest } = splitFile(positionals);
  const jobs = str(values, "jobs") === undefined ? defaultJobs() : Number(str(values, "jobs"));
  if (!Number.isInteger(jobs) || jobs < 1) throw new FlowError("usage", `--jobs ${str(values, "jobs")}: expected a whole number ≥ 1`);
  const { pipeline, ws } = await openContext({ ...common(values), file, link: str(values, "link") }, { prepare: !values["dry-run"] });
  try {
    const selection = rest.length ? new Set(selectFromArgs(pipeline.nodes, rest).map((n) => n.id)) : undefined;
    if (values["dry-run"]) return await dryRun(pipeline, ws, selection, io, !!values.json);
    ws.lock.acquire(`flow run ${positionals.join(" ")}`.trim()); // (no option values: a --cache-url may hold a password)
    const plain = new PlainReporter(io.out, io.err, !!values.verbose);
    const tty = io.isTTY && !values.json ? new TtyReporter(io.out, plain) : undefined;
    // --json keeps stdout for the summary; failures and warnings still go to stderr
    const logger: Logger = values.json
      ? {
          emit: (e) => {
            if ((e.type === "node-done" && e.outcome === "failed") || e.type === "warn") plain.emit(e);
          },
        }
      : (tty ?? plain);
    const kind = str(values, "executor") ?? "local";
    const maxJobs = str(values, "slurm-max-jobs") === undefined ? jobs : Number(str(values, "slurm-max-jobs"));
    if (!Number.isInteger(maxJobs) || maxJobs < 1)
      throw new FlowError("usage", `--slurm-max-jobs ${str(values, "slurm-max-jobs")}: expected a whole number ≥ 1`);
    if (kind !== "local" && kind !== "slurm") throw new FlowError("usage", `--executor ${kind}: expected local or slurm`);
    const executor: Executor =
      kind === "local"
        ? (io.workers ?? new LocalExecutor())
        : new SlurmExecutor({
            root: pipeline.root,
            pipeline: pipeline.file,
            sets: parseSets(list(values, "set")),
            cacheDir: ws.cacheDir,
            cacheUrl: str(values, "cache-url") ?? process.env.FLOW_CACHE_URL,
            partition: str(values, "slurm-partition"),
            opts: list(values, "slurm-opt"),
            pollMs: process.env.FLOW_SLURM_POLL_MS ? Number(process.env.FLOW_SLURM_POLL_MS) : undefined,
            maxJobs,
          });
    // SLURM: enough nodes in hand to fill every job slot with a whole group
    const inFlight = executor instanceof SlurmExecutor ? executor.capacity(pipeline.nodes.map((n) => n.resources?.group_size ?? 1)) : jobs;
    const byId = new Map(pipeline.nodes.map((n) => [n.id, n]));
    const runsDir = join(ws.flowDir, "runs");
    const history = new RunLog(
      runsDir,
      {
        type: "run",
        id: newRunId(),
        start: new Date().toISOString(),
        argv: commandLine(positionals, values),
        pipeline: pipeline.file,
        params: pipeline.params,
        executor: kind,
        jobs: inFlight,
        host: hostname(),
        flowVersion: FLOW_VERSION,
      },
      (id) => byId.get(id),
    );
    const running = new Set<string>();
    const seen = {
      ran: [] as string[],
      restored: [] as string[],
      upToDate: [] as string[],
      failed: [] as { id: string; error: string }[],
      skipped: [] as string[],
    };
    const t0 = Date.now();
    const track: Logger = {
      emit: (e) => {
        if (e.type === "node-start") running.add(e.id);
        if (e.type === "node-done") {
          running.delete(e.id);
          if (e.outcome === "ran") seen.ran.push(e.id);
          else if (e.outcome === "restored") seen.restored.push(e.id);
          else if (e.outcome === "up-to-date") seen.upToDate.push(e.id);
          else if (e.outcome === "failed") seen.failed.push({ id: e.id, error: e.error ?? "" });
          else seen.skipped.push(e.id);
        }
        // nodes that die with an interrupted run are not failures to report
        if (!isInterrupting()) {
          history.emit(e);
          logger.emit(e);
        }
      },
    };
    const offInterrupt = onInterrupt(() => {
      history.finish(seen, "interrupted", Date.now() - t0);
      return executor.close();
    });
    describeInterrupt(() =>
      running.size
        ? `${running.size} node(s) were running and are left stale: ${[...running].slice(0, 5).join(", ")}${running.size > 5 ? ", …" : ""}`
        : "no node was running",
    );
    try {
      const s = await runPipeline(pipeline, ws, executor, track, {
        jobs: inFlight,
        keepGoing: !!values["keep-going"],
        selection,
        run: history.header.id,
      });
      history.finish(s, s.failed.length || s.skipped.length ? "failed" : "ok", s.wallMs);
      // the trace: always kept beside the run record, and where --trace says
      const rec = readRun(runsDir, history.header.id);
      if (rec) {
        writeTrace(join(runsDir, `${history.header.id}.trace.tsv`), rec);
        const trace = str(values, "trace");
        if (trace) writeTrace(resolve(trace), rec);
      }
      tty?.stop();
      if (values.json) {
        io.out(
          JSON.stringify({ ran: s.ran, restored: s.restored, upToDate: s.upToDate, failed: s.failed, skipped: s.skipped, wallMs: s.wallMs }) + "\n",
        );
      } else {
        io.out(`${formatSummary(s, !!values.verbose)}\n`);
      }
      return s.failed.length || s.skipped.length ? 1 : 0;
    } finally {
      offInterrupt();
      describeInterrupt(undefined);
      if (executor !== io.workers) await executor.close();
      ws.lock.release();
    }
  } finally {
    await ws.close();
  }
}

async function dryRun(
  pipeline: Awaited<ReturnType<typeof openContext>>["pipeline"],
  ws: Awaited<ReturnType<typeof openContext>>["ws"],
  selection: Set<string> | undefined,
  io: Io,
  json: boolean,
): Promise<number> {
  const planner = new Planner(pipeline, ws);
  const wanted = selection ? pipeline.dag.closureUp(selection) : undefined;
  const plan: { id: string; action: string; reasons: string[] }[] = [];
  for await (const st of planner.assess(wanted)) {
    const n = st.node;
    const action = st.state === "up-to-date" ? "up-to-date" : st.state === "restorable" ? "restore" : "run";
    plan.push({ id: n.id, action, reasons: st.reasons });
  }
  if (json) io.out(JSON.stringify(plan) + "\n");
  else {
    for (const p of plan)
      if (p.action !== "up-to-date")
        io.out(`${p.action === "run" ? "would run    " : "would restore"} ${p.id}${p.reasons.length ? `  (${p.reasons.join("; ")})` : ""}\n`);
    const count = (a: string) => plan.filter((p) => p.action === a).length;
    io.out(`dry run: ${count("run")} to run, ${count("restore")} to restore, ${count("up-to-date")} up to date\n`);
  }
  return 0;
}

export const run: CommandSpec = {
  name: "run",
  summary: "run what is stale (restore what the cache has)",
  description:
    "Runs the stale nodes in dependency order, N at a time; restores what the cache has.\nWith selectors (key=value, task=<id>), only the matching nodes and what they need.\n\nSelectors: key=value (stimulus=dot_motion, task=bin; several narrow together), or\ntargets: a node id (\'bin[session=1,stimulus=flashes]\'), an output path or a folder\nof outputs (data/02_stimulus_types/flashes.h5; several add up).",
  args: "[file] [selector…]",
  options: [
    { flags: "-j, --jobs <n>", description: "parallel nodes (default: one per core, at most one per 2 GB of memory)" },
    { flags: "-k, --keep-going", description: "after a failure, go on with everything that does not depend on it" },
    { flags: "-n, --dry-run", description: "say what would run or be restored, and do nothing" },
    { flags: "--executor <local|slurm>", description: "where nodes run (default local: worker processes here)" },
    { flags: "--slurm-partition <p>", description: "sbatch --partition" },
    { flags: "--slurm-opt <option>", description: 'an extra sbatch option, e.g. "--mem=8G" (repeatable)', repeat: true },
    {
      flags: "--link <copy|hardlink|reflink>",
      description:
        "how outputs come out of the cache: verified copies (default), hard links to the read-only objects (stored once; never edit such an output in place), or copy-on-write clones (env FLOW_LINK)",
    },
    {
      flags: "--trace <file.tsv>",
      description:
        "also write the run's trace here (node, task, params, state, start, end, wall, cpu, peak RSS, bytes, executor, job id); it is always kept in .flow/runs/",
    },
    {
      flags: "--slurm-max-jobs <n>",
      description: "SLURM jobs in flight at most (default: --jobs); a task's resources.group_size nodes share one job",
    },
  ],
  run: runCommand,
};

/** The command line as typed (for the run record; credentials are redacted when it is written). */
function commandLine(positionals: string[], values: Values): string[] {
  const out = ["run", ...positionals];
  for (const [k, v] of Object.entries(values)) {
    if (v === true) out.push(`--${k}`);
    else if (typeof v === "string") out.push(`--${k}`, v);
    else if (Array.isArray(v)) for (const x of v) out.push(`--${k}`, String(x));
  }
  return out;
}

/** One worker per core, but no more than one per 2 GB of memory (a full session's worker peaks near 0.5 GB; a 64-core node with 64 GB gets 32). */
export function defaultJobs(): number {
  return Math.max(1, Math.min(cpus().length, Math.floor(totalmem() / 2 ** 31)));
}
