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
import { failed, succeeded } from "../lifecycle/result.js";
import { skipped } from "../lifecycle/result.js";
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

/** The first pass: every wanted node assessed with what the stat cache knows (no file read), so the work is counted before any is done. */
async function firstPass(planner: Planner, nodes: GraphNode[]): Promise<Map<string, Assessment>> {
  const found = new Map<string, Assessment>();
  for (const n of nodes) found.set(n.id, await planner.assess(n, { peek: true }));
  return found;
}

/** Starts workers for the TypeScript nodes that surely run, so their start-up overlaps the planning of the rest. */
function warmWorkers(executor: Executor, session: Session, first: Map<string, Assessment>, nodes: GraphNode[], jobs: number) {
  const surely = nodes.filter((n) => "module" in n.run && first.get(n.id)!.state !== "up-to-date" && first.get(n.id)!.state !== "restorable");
  const modules = [...new Set(surely.map((n) => resolve(session.root, (n.run as { module: string }).module)))];
  if (modules.length) executor.warm?.(Math.min(jobs, surely.length), modules);
}

export async function run(session: Session, config: RunConfig, args: string[], io: RunIo): Promise<RunResult> {
  const ws = session.workspace;
  ws.lock.acquire(`flow run ${args.join(" ")}`.trim()); // (no option values: a --cache-url may hold a password)
  let executor: Executor | undefined;
  try {
    await session.prepare((m) => io.err(`${m}\n`));
    const pipeline = session.graph;
    const wanted = args.length ? pipeline.dag.closureUp(selectFromArgs(pipeline.nodes, args).map((n) => n.id)) : undefined;
    const nodes = pipeline.nodes.filter((n) => !wanted || wanted.has(n.id));
    const cache = await session.cache();
    registerUser(session.cacheDir, session.root); // gc then knows this workspace uses the cache
    sweepLeftovers(ws.tmpDir, pipeline.nodes);
    cache.sweepStrays();
    const t0 = Date.now();
    const history = new RunLog(ws.runsDir, {
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
    const planner = await session.planner();
    const first = await firstPass(planner, nodes);
    const todo = new Set([...first].filter(([, a]) => a.state !== "up-to-date").map(([id]) => id));
    const tally = new Tally(new Map(pipeline.nodes.map((n) => [n.id, n])), io.logger, history, io.signal, todo);
    const running = new Set<string>();
    const logger: Logger = {
      emit(e: FlowEvent) {
        if (io.signal.aborted) return;
        if (e.type === "node-start") running.add(e.id);
        if (e.type === "node-retry") tally.attempt(e.outcome);
        io.logger.emit(e);
      },
    };
    executor = executorFor(session, config, (m) => logger.emit({ type: "warn", message: m }));
    warmWorkers(executor, session, first, nodes, config.jobs);
    io.logger.emit({ type: "plan", todo: todo.size });
    const ctx: LifecycleContext = {
      root: session.root,
      planner,
      cache,
      executor,
      state: ws.state,
      stat: ws.stat,
      tmpDir: ws.tmpDir,
      provenance: session.provenance(),
      taskOutput: (key, text) => writeTaskOutput(session.cacheDir, key, text),
      logger,
      claimed: new Set(pipeline.nodes.flatMap(allOutputPaths)),
      runId: history.header.id,
      live: config.verbose,
      materialise: true,
    };
    // up-to-date nodes are done: said (and counted as such), not scheduled
    for (const n of nodes)
      if (!todo.has(n.id))
        tally.add(succeeded({ id: n.id, startedAt: Date.now() }, "up-to-date", first.get(n.id)!.entry?.outputs ?? ws.state.get(n.id)!.outputs));
    const work = schedule(
      nodes.filter((n) => todo.has(n.id)),
      pipeline.deps,
      pipeline.dag,
      { jobs: inFlight(executor, config, nodes), keepGoing: config.keepGoing, signal: io.signal },
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
    if ((await Promise.race([work, aborted])) === "aborted" || io.signal.aborted) {
      const interrupted = [...running]; // before the executor closes: its nodes end as it does
      await executor.close();
      history.finish({ wallMs: Date.now() - t0, status: "interrupted", counts: counts(tally.summary) });
      return { summary: tally.summary, exitCode: 0, interrupted };
    }
    tally.flush();
    const removed = removeOrphans(session.root, ws.state, pipeline.nodes, ws.stat);
    if (removed.length)
      io.logger.emit({
        type: "info",
        message: `removed ${removed.length} output(s) of nodes no longer in the graph (still in the cache): ${removed.slice(0, 5).join(", ")}${removed.length > 5 ? ", …" : ""}`,
      });
    ws.state.compact();
    tally.summary.wallMs = Date.now() - t0;
    const status: RunStatus = tally.failedAny ? "failed" : "ok";
    history.finish({ wallMs: tally.summary.wallMs, status, counts: counts(tally.summary), removed: removed.length ? removed : undefined });
    keepTrace(ws.runsDir, history.header.id, config.trace);
    return { summary: tally.summary, exitCode: tally.exitCode() };
  } finally {
    if (executor && executor !== session.deps.workers) await executor.close();
    ws.lock.release();
  }
}

/** SLURM: enough nodes in hand to fill every job slot with a whole group. */
function inFlight(executor: Executor, config: RunConfig, nodes: GraphNode[]): number {
  return executor instanceof SlurmExecutor ? executor.capacity(nodes.map((n) => n.resources?.group_size ?? 1)) : config.jobs;
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
