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

/**
 * What a task says it takes and makes: its inputs and outputs by name — "file" (one
 * path) or "files" (a list of inputs gathered over another task; one output per member
 * of a set) — and the params (or foreach values) it needs. Checked against the node
 * pipeline.yaml gives it before the task runs; and it types `ctx` with no casts.
 */
export interface TaskDeclaration {
  inputs?: Record<string, "file" | "files">;
  outputs?: Record<string, "file" | "files">;
  params?: readonly string[];
}

export interface TaskModule {
  declared?: TaskDeclaration;
  run(ctx: TaskContext): Promise<void> | void;
}

type InputsOf<I> = { [K in keyof I]: I[K] extends "files" ? string[] : string };
type OutputsOf<O> = { [K in keyof O]: O[K] extends "files" ? Record<string, string> : string };

/** The context a declared task sees: its own names, typed. */
export interface DeclaredContext<I, O, P extends string> extends Omit<TaskContext, "inputs" | "outputs" | "params"> {
  inputs: InputsOf<I>;
  outputs: OutputsOf<O>;
  /** the declared params, and any other the node has (optional) */
  params: { [K in P]: ParamValue } & Record<string, ParamValue | undefined>;
}

export function defineTask<
  const I extends Record<string, "file" | "files"> = Record<never, "file">,
  const O extends Record<string, "file" | "files"> = Record<never, "file">,
  const P extends string = never,
>(t: { inputs?: I; outputs?: O; params?: readonly P[]; run(ctx: DeclaredContext<I, O, P>): Promise<void> | void }): TaskModule {
  return {
    declared: { inputs: t.inputs, outputs: t.outputs, params: t.params },
    run: (ctx) => t.run(ctx as unknown as DeclaredContext<I, O, P>),
  };
}

/**
 * Why a node's inputs, outputs or params do not match what its task module declares,
 * or undefined when they do (or the module declares nothing).
 */
export function declarationMismatch(
  d: TaskDeclaration | undefined,
  node: { inputs: Record<string, unknown>; outputs: Record<string, unknown>; params: Record<string, unknown> },
): string | undefined {
  if (!d) return undefined;
  const problems: string[] = [];
  const kind = (v: unknown, what: "input" | "output") =>
    what === "input" ? (Array.isArray(v) ? "files" : "file") : typeof v === "object" ? "files" : "file";
  for (const what of ["input", "output"] as const) {
    const declared = (what === "input" ? d.inputs : d.outputs) ?? {};
    const given = what === "input" ? node.inputs : node.outputs;
    for (const [name, k] of Object.entries(declared)) {
      if (!(name in given)) problems.push(`${what} '${name}' is declared but pipeline.yaml gives none`);
      else if (kind(given[name], what) !== k)
        problems.push(`${what} '${name}' is declared as ${k} but pipeline.yaml gives ${kind(given[name], what)}`);
    }
    for (const name of Object.keys(given))
      if (!(name in declared)) problems.push(`pipeline.yaml gives ${what} '${name}', which the task does not declare`);
  }
  for (const p of d.params ?? [])
    if (!(p in node.params)) problems.push(`param '${p}' is declared but the node has none (list it under the task's params:)`);
  return problems.length ? problems.join("; ") : undefined;
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
/**
 * What a pipeline command declares about its command line (its `cli` export). flow's one
 * parser (commander) reads it for `flow <command>` and for `prepare:` steps alike: help
 * is generated, unknown options, missing arguments and values outside `choices` are
 * refused (exit 2) before the command runs.
 */
export interface CommandCli {
  /** the positional arguments: "<stimulus> <structure> <out_dir>", "[dir] [source]" */
  args: string;
  /** more than pipeline.yaml's one-line description, for `flow <command> --help` */
  description?: string;
  options: { flags: string; description: string; default?: string; choices?: string[] }[];
}
/** The parsed command line: positionals in order, options by long name ("session-ids"). */
export interface CommandInput {
  args: string[];
  options: Record<string, string | boolean | undefined>;
}
export type CommandFn = (input: CommandInput, ctx: CommandContext) => Promise<number>;
/**
 * A command used as a `prepare: when:` step may also export `pending(input, ctx)`: what
 * it would do now, in a few words, or undefined when there is nothing to do. It must be
 * cheap and must not touch the network: `flow status` calls it.
 */
export type PendingFn = (input: CommandInput, ctx: CommandContext) => Promise<string | undefined> | string | undefined;
export interface CommandModule {
  command: CommandFn;
  cli: CommandCli;
  pending?: PendingFn;
}

/** A temp name beside a path that the engine's sweep of dead writers recognises. */
export { tempSibling } from "./store/atomic.js";

/** CSV text (pandas' to_csv dialect) → header and rows; the engine reads set tables with it. */
export { parseCsv } from "./pipeline/csv.js";

/** Expected failures with a reason (exit code at the CLI boundary), and URL redaction for messages. */
export { FlowError } from "./errors.js";
export { redactUrl } from "./redact.js";
/** The members of a set read from a CSV table column (what `sets: { table: … }` uses). */
export { tableSet } from "./pipeline/table-set.js";
/** Notes the sha256 of a file a command just wrote and verified, bound to its stat: a run takes it instead of reading the file again. */
export { noteDigest } from "./hash/digest-notes.js";
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
export interface ReportSection {
  title: string;
  html: string;
}
export type SectionFn = (ctx: ReportContext) => Promise<ReportSection> | ReportSection;

/** The canonical JSON encoding the engine hashes (sorted keys, exact numbers). */
export { canonical } from "./hash/canonical.js";
export type { ParamValue } from "./pipeline/types.js";
