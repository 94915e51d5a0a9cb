// One command's session: the configuration, the pipeline (read, and expanded as far as
// the command needs), the workspace, the cache, the hash threads — opened in one place,
// closed in one place. Commands and tests get everything through it; nothing reads
// process.env or opens a cache on its own.
import { join, resolve } from "node:path";
import { FlowError } from "../errors.js";
import { readPipeline, expandPipeline, type PipelineSource } from "../pipeline/load.js";
import type { Pipeline } from "../pipeline/types.js";
import { Workspace } from "../workspace/workspace.js";
import { LocalCache } from "../cache/local-cache.js";
import { HashThreads } from "../hash/hash-threads.js";
import { CodeVersions } from "../hash/code-version.js";
import { EnvironmentProbes } from "../hash/environment.js";
import { Planner } from "../plan/planner.js";
import { Provenance } from "../records/provenance.js";
import type { Warn } from "../host/records.js";
import type { Executor } from "../exec/executor.js";
import type { FlowConfig } from "./config.js";
import { describeStep, pendingPrepare, runPrepare, type PendingStep, type StepParser } from "./prepare.js";

export interface SessionDeps {
  /** where warnings go (stderr, or a run's logger) */
  warn: Warn;
  parseStep: StepParser;
  /** a worker pool the caller keeps across runs (the in-process test tier) */
  workers?: Executor;
}

/**
 * How much of the graph a command needs: `describe` — the graph even before `prepare:` has
 * made its inputs (sets it cannot read yet get one placeholder member); `plan` — the real
 * graph (a pending prepare step is an error that says what `flow run` would do first).
 */
export type GraphNeed = "source" | "describe" | "plan";

export class Session {
  readonly workspace: Workspace;
  readonly code: CodeVersions;
  readonly probes: EnvironmentProbes;
  private readonly threads = new HashThreads(2);
  private cacheOpen?: Promise<LocalCache>;

  private constructor(
    readonly config: FlowConfig,
    readonly deps: SessionDeps,
    public source: PipelineSource,
    public pending: PendingStep[],
    public pipeline: Pipeline | undefined,
  ) {
    this.workspace = new Workspace(source.root, this.threads, deps.warn);
    this.code = new CodeVersions(source.root);
    this.probes = new EnvironmentProbes(source.root);
  }

  static async open(config: FlowConfig, deps: SessionDeps, need: GraphNeed): Promise<Session> {
    const source = readPipeline(config.file, { sets: config.sets, paramsFile: config.paramsFile });
    const pending = need === "source" ? [] : await pendingPrepare(source, deps.parseStep);
    if (need === "plan" && pending.length)
      throw new FlowError("prepare-pending", `not prepared yet: 'flow run' first ${pending.map(describeStep).join("; ")}`);
    const pipeline = need === "source" ? undefined : expandPipeline(source, pending.length > 0);
    return new Session(config, deps, source, pending, pipeline);
  }

  get root(): string {
    return this.source.root;
  }

  /** The expanded graph (commands that opened the session for it). */
  get graph(): Pipeline {
    if (!this.pipeline) throw new Error("the session was opened without the graph");
    return this.pipeline;
  }

  get cacheDir(): string {
    return resolve(this.root, this.config.cacheDir ?? "cache");
  }

  /** The cache (a server index is reached once, with a bounded round trip). */
  cache(): Promise<LocalCache> {
    this.cacheOpen ??= LocalCache.open({
      dir: this.cacheDir,
      url: this.config.cacheUrl,
      timeoutMs: this.config.cacheTimeoutMs,
      secret: this.config.secret?.key,
      warn: this.deps.warn,
      link: this.config.link,
      stat: this.workspace.stat,
      threads: this.threads,
    });
    return this.cacheOpen;
  }

  provenance(): Provenance {
    return new Provenance(join(this.cacheDir, "records"), this.deps.warn);
  }

  async planner(): Promise<Planner> {
    return new Planner({
      root: this.root,
      nodes: this.graph.nodes,
      stat: this.workspace.stat,
      code: this.code,
      probes: this.probes,
      state: this.workspace.state,
      cache: await this.cache(),
    });
  }

  /** Runs the pending `prepare:` steps (the caller holds the workspace lock) and expands the real graph. */
  async prepare(log: (m: string) => void): Promise<void> {
    if (this.pending.length === 0) return;
    await runPrepare(this.source, this.pending, this.deps.parseStep, log);
    this.source = readPipeline(this.config.file, { sets: this.config.sets, paramsFile: this.config.paramsFile });
    this.pending = await pendingPrepare(this.source, this.deps.parseStep);
    this.pipeline = expandPipeline(this.source, false);
  }

  async close() {
    for (const w of this.config.secret?.warnings ?? []) this.deps.warn(w);
    try {
      if (this.cacheOpen) {
        const c = await this.cacheOpen.catch(() => undefined);
        c?.flushWarnings();
        await c?.close();
      }
    } finally {
      this.workspace.save();
      await this.threads.close();
    }
  }
}
