// `flow run`: the lock, the `prepare:` steps, a first pass that finds what needs work,
// the scheduler with the node lifecycle, the clean-up of outputs no node makes any more,
// and the run's record — wired here from the pieces below, each of which does one thing.
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import type { RunConfig } from "./config.js";
import type { Session } from "./session.js";
import { selectFromArgs } from "../plan/select.js";
import type { Assessment, Planner } from "../plan/planner.js";
import { schedule } from "../schedule/scheduler.js";
import { processNode } from "../lifecycle/process-node.js";
import { Tally, type Summary } from "../lifecycle/outcome.js";
import { failed, skipped, succeeded } from "../lifecycle/result.js";
import type { LifecycleContext } from "../lifecycle/context.js";
import { LocalExecutor } from "../exec/local.js";
import { SlurmExecutor } from "../exec/slurm.js";
import type { Executor } from "../exec/executor.js";
import { RunLog, newRunId, readRun, writeTrace, type RunStatus } from "../records/runs.js";
import { writeTaskOutput } from "../records/task-output.js";
import { sweepLeftovers, removeOrphans } from "../workspace/leftovers.js";
import { registerUser } from "../cache/users.js";
import { allOutputPaths, type GraphNode } from "../model/graph-node.js";
import type { FlowEvent, Logger } from "../model/events.js";
import type { Pipeline } from "../pipeline/types.js";
import { errorText } from "../host/errno.js";
import { FLOW_VERSION } from "../version.js";

export interface RunIo {
  out(s: string): void;
  err(s: string): void;
  /** the reporters for this run (plain, terminal or quiet), made by the CLI */
  logger: Logger;
  /** an abort means the run was interrupted (SIGINT, SIGTERM): its reason is the signal's name */
  signal: AbortSignal;
  /** the command line, for the run record (credentials are redacted when it is written) */
  argv: string[];
}

export interface RunResult {
  summary: Summary;
  exitCode: number;
  /** the nodes that were running when the run was interrupted */
  interrupted?: string[];
}

/** The executor the configuration asks for (or the pool the caller keeps). */
function executorFor(session: Session, config: RunConfig, warn: (m: string) => void): Executor {
  if (config.executor === "local")
    return session.deps.workers ?? new LocalExecutor({ workerNodeOptions: config.workerNodeOptions, shellNodeOptions: config.shellNodeOptions });
  return new SlurmExecutor({
    root: session.root,
    pipeline: session.source.file,
    sets: config.sets,
    paramsFile: session.source.paramsFile,
    cacheDir: session.cacheDir,
    cacheUrl: config.cacheUrl,
    link: config.link,
    partition: config.slurm.partition,
    opts: config.slurm.opts,
    pollMs: config.slurm.pollMs,
    maxJobs: config.slurm.maxJobs,
    warn,
  });
}

/** SLURM: enough nodes in hand to fill every job slot with a whole group. */
function inFlight(executor: Executor, config: RunConfig, nodes: GraphNode[]): number {
  return executor instanceof SlurmExecutor ? executor.capacity(nodes.map((n) => n.resources?.group_size ?? 1)) : config.jobs;
}

/** The first pass: every wanted node assessed with what the stat cache knows (no file read), so the work is counted before any is done. */
async function firstPass(planner: Planner, nodes: GraphNode[]): Promise<Map<string, Assessment>> {
  const found = new Map<string, Assessment>();
  for (const n of nodes) found.set(n.id, await planner.assess(n, { peek: true }));
  return found;
}

/** Starts workers for the TypeScript nodes that surely run, so their start-up overlaps the planning of the rest. */
function warmWorkers(executor: Executor, root: string, first: Map<string, Assessment>, nodes: GraphNode[], jobs: number) {
  const surely = nodes.filter((n) => "module" in n.run && first.get(n.id)!.state !== "up-to-date" && first.get(n.id)!.state !== "restorable");
  const modules = [...new Set(surely.map((n) => resolve(root, (n.run as { module: string }).module)))];
  if (modules.length) executor.warm?.(Math.min(jobs, surely.length), modules);
}

const counts = (s: Summary) => ({
  ran: s.ran.length,
  restored: s.restored.length,
  upToDate: s.upToDate.length,
  failed: s.failed.length,
  skipped: s.skipped.length,
});

/** The trace: always kept beside the run record, and where --trace says. */
function keepTrace(runsDir: string, id: string, trace: string | undefined) {
  const rec = readRun(runsDir, id);
  if (!rec) return;
  writeTrace(join(runsDir, `${id}.trace.tsv`), rec);
  if (trace) writeTrace(resolve(trace), rec);
}

/** Everything one run holds while it goes. */
interface Running {
  session: Session;
  config: RunConfig;
  io: RunIo;
  pipeline: Pipeline;
  nodes: GraphNode[];
  history: RunLog;
  t0: number;
  executor?: Executor;
}

/** Under the lock: the prepare steps, the graph, the selection, the sweep of a killed run's leftovers, the run record. */
async function begin(session: Session, config: RunConfig, args: string[], io: RunIo): Promise<Running> {
  await session.prepare((m) => io.err(`${m}\n`));
  const pipeline = session.graph;
  const wanted = args.length ? pipeline.dag.closureUp(selectFromArgs(pipeline.nodes, args).map((n) => n.id)) : undefined;
  const cache = await session.cache();
  registerUser(session.cacheDir, session.root); // gc then knows this workspace uses the cache
  sweepLeftovers(session.workspace.tmpDir, pipeline.nodes);
  cache.sweepStrays();
  const t0 = Date.now();
  const history = new RunLog(session.workspace.runsDir, {
    type: "run",
    id: newRunId(),
    start: new Date(t0).toISOString(),
    argv: io.argv,
    pipeline: pipeline.file,
    params: pipeline.params,
    executor: config.executor,
    jobs: config.jobs,
    host: hostname(),
    flowVersion: FLOW_VERSION,
  });
  return { session, config, io, pipeline, nodes: pipeline.nodes.filter((n) => !wanted || wanted.has(n.id)), history, t0 };
}

/** What the node lifecycle works with in this run. */
async function lifecycleContext(r: Running, planner: Planner, logger: Logger): Promise<LifecycleContext> {
  const { session, pipeline } = r;
  return {
    root: session.root,
    planner,
    cache: await session.cache(),
    executor: r.executor!,
    state: session.workspace.state,
    stat: session.workspace.stat,
    tmpDir: session.workspace.tmpDir,
    provenance: session.provenance(),
    taskOutput: (key, text) => writeTaskOutput(session.cacheDir, key, text),
    logger,
    claimed: new Set(pipeline.nodes.flatMap(allOutputPaths)),
    runId: r.history.header.id,
    live: r.config.verbose,
    materialise: true,
  };
}

/** After the scheduler: held failures said, orphaned outputs removed, the state compacted, the record ended. */
function end(r: Running, tally: Tally): RunResult {
  const ws = r.session.workspace;
  tally.flush();
  const removed = removeOrphans(r.session.root, ws.state, r.pipeline.nodes, ws.stat);
  if (removed.length)
    r.io.logger.emit({
      type: "info",
      message: `removed ${removed.length} output(s) of nodes no longer in the graph (still in the cache): ${removed.slice(0, 5).join(", ")}${removed.length > 5 ? ", …" : ""}`,
    });
  ws.state.compact();
  tally.summary.wallMs = Date.now() - r.t0;
  const status: RunStatus = tally.failedAny ? "failed" : "ok";
  r.history.finish({ wallMs: tally.summary.wallMs, status, counts: counts(tally.summary), removed: removed.length ? removed : undefined });
  keepTrace(ws.runsDir, r.history.header.id, r.config.trace);
  return { summary: tally.summary, exitCode: tally.exitCode() };
}

export async function run(session: Session, config: RunConfig, args: string[], io: RunIo): Promise<RunResult> {
  const ws = session.workspace;
  ws.lock.acquire(`flow run ${args.join(" ")}`.trim()); // (no option values: a --cache-url may hold a password)
  let r: Running | undefined;
  try {
    r = await begin(session, config, args, io);
    const planner = await session.planner();
    const first = await firstPass(planner, r.nodes);
    const todo = new Set([...first].filter(([, a]) => a.state !== "up-to-date").map(([id]) => id));
    const tally = new Tally(new Map(r.pipeline.nodes.map((n) => [n.id, n])), io.logger, r.history, io.signal, todo);
    const running = new Set<string>();
    const logger: Logger = {
      emit(e: FlowEvent) {
        if (io.signal.aborted) return;
        if (e.type === "node-start") running.add(e.id);
        if (e.type === "node-retry") tally.attempt(e.outcome);
        io.logger.emit(e);
      },
    };
    r.executor = executorFor(session, config, (m) => logger.emit({ type: "warn", message: m }));
    warmWorkers(r.executor, session.root, first, r.nodes, config.jobs);
    io.logger.emit({ type: "plan", todo: todo.size });
    const ctx = await lifecycleContext(r, planner, logger);
    // up-to-date nodes are done: said (not counted), not scheduled
    for (const n of r.nodes)
      if (!todo.has(n.id))
        tally.add(succeeded({ id: n.id, startedAt: Date.now() }, "up-to-date", first.get(n.id)!.entry?.outputs ?? ws.state.get(n.id)!.outputs));
    const work = schedule(
      r.nodes.filter((n) => todo.has(n.id)),
      r.pipeline.deps,
      r.pipeline.dag,
      { jobs: inFlight(r.executor, config, r.nodes), keepGoing: config.keepGoing, signal: io.signal },
      {
        run: async (n) => {
          const o = await processNode(n, ctx).catch((e) =>
            failed({ id: n.id, startedAt: Date.now() }, "crashed", errorText(e), { detail: (e as Error).stack }),
          );
          running.delete(n.id);
          tally.add(o);
          return o.ok;
        },
        skip: (n, upstream) => tally.add(skipped(n.id, upstream)),
        prefetch: (inputs) => inputs.forEach((p) => void ws.stat.warm(p)),
      },
    );
    const aborted = new Promise<"aborted">((res) => io.signal.addEventListener("abort", () => res("aborted"), { once: true }));
    if ((await Promise.race([work, aborted])) !== "aborted" && !io.signal.aborted) return end(r, tally);
    const interrupted = [...running]; // before the executor closes: its nodes end as it does
    await r.executor.close();
    r.history.finish({ wallMs: Date.now() - r.t0, status: "interrupted", counts: counts(tally.summary) });
    return { summary: tally.summary, exitCode: 0, interrupted };
  } finally {
    if (r?.executor && r.executor !== session.deps.workers) await r.executor.close();
    ws.lock.release();
  }
}
