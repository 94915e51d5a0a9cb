// The contract between the engine and a TypeScript task module. A task module's
// default export is `defineTask({ run(ctx) { … } })`; it reads ctx.inputs and writes
// every path in ctx.outputs (temporary paths: the engine moves them into place).

import type { ParamValue } from "./pipeline/types.js";

export interface TaskContext {
  node: string;
  key: string;
  /** declared params and the node's foreach values */
  params: Record<string, ParamValue>;
  inputs: Record<string, string | string[]>;
  outputs: Record<string, string | Record<string, string>>;
  root: string;
  flowVersion: string;
  log(message: string): void;
}

export interface TaskModule {
  run(ctx: TaskContext): Promise<void> | void;
}

export function defineTask(t: TaskModule): TaskModule {
  return t;
}

/** An expected failure (bad input): reported as its message alone, no stack. */
export class TaskError extends Error {
  readonly expected = true;
  constructor(message: string) {
    super(message);
    this.name = "TaskError";
  }
}

/** A pipeline sub-command module exports `command(args, ctx)` and returns an exit code. */
export interface CommandContext {
  root: string;
  params: Record<string, ParamValue>;
  log(message: string): void;
  /**
   * The state of the nodes that make these output paths (absolute or relative to the
   * current folder): "up-to-date", "stale", … or "not-an-output". Given to commands run
   * from the CLI (not to prepare: steps, which run before there is a plan).
   */
  outputStates?(paths: string[]): Promise<{ path: string; node?: string; state: string; reasons: string[] }[]>;
}
export type CommandFn = (args: string[], ctx: CommandContext) => Promise<number>;
/**
 * A command used as a `prepare: when:` step may also export `pending(args, ctx)`: what it
 * would do now, in a few words, or undefined when there is nothing to do. It must be
 * cheap and must not touch the network: `flow status` calls it.
 */
export type PendingFn = (args: string[], ctx: CommandContext) => Promise<string | undefined> | string | undefined;
export interface CommandModule { command: CommandFn; pending?: PendingFn }

/** A temp name beside a path that the engine's sweep of dead writers recognises. */
export { tempSibling } from "./store/atomic.js";

/** CSV text (pandas' to_csv dialect) → header and rows; the engine reads set tables with it. */
export { parseCsv } from "./pipeline/csv.js";

/** Expected failures with a reason (exit code at the CLI boundary), and URL redaction for messages. */
export { FlowError } from "./errors.js";
export { redactUrl } from "./store/index.js";
/** The members of a set read from a CSV table column (what `sets: { table: … }` uses). */
export { tableSet } from "./pipeline/table-set.js";
/** A lock file taken with link() (one holder across processes and hosts; a dead holder's is taken over). */
export { Lock } from "./lock/lock.js";

/**
 * A pipeline's own part of `flow report`: pipeline.yaml `report: { module }` names a module
 * whose `section(ctx)` returns a title and HTML (self-contained: inline images only).
 */
export interface ReportContext {
  root: string;
  params: Record<string, ParamValue>;
  /** every node of a task: its foreach values and output paths (absolute) */
  outputs(task: string): { vars: Record<string, string>; paths: Record<string, string | Record<string, string>> }[];
}
export interface ReportSection { title: string; html: string }
export type SectionFn = (ctx: ReportContext) => Promise<ReportSection> | ReportSection;

/** The canonical JSON encoding the engine hashes (sorted keys, exact numbers). */
export { canonical } from "./hash/canonical.js";
export type { ParamValue } from "./pipeline/types.js";
