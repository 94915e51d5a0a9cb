// `#flow/command`: what a pipeline's own commands are written against — `flow export`,
// the `prepare:` steps that make inputs (`flow synth`, `flow fetch`), and the pipeline's
// section of `flow report`. A command module exports `cli` (its command line, which flow's
// one parser reads) and `command(input, ctx)`; a `prepare: when:` step also `pending()`.
// Capabilities come through `ctx`; nothing of the engine's inside is promised.
import type { ParamValue } from "../model/graph-node.js";

export type { ParamValue };

/**
 * What a pipeline command declares about its command line. flow's one parser reads it
 * for `flow <command>` and for `prepare:` steps alike: help is generated, unknown options,
 * missing arguments and values outside `choices` are refused (exit 2) before the command runs.
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
  /**
   * Runs fn while holding a lock on `path` (another flow process that asks for it is
   * refused, naming the holder): two fetches into one folder must not write the same files.
   */
  exclusive<T>(path: string, what: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Makes the folder `final` whole or not at all: fill() writes into a temp folder beside
   * it, which is renamed to `final` once fill() returns (and removed, by flow's sweep, if
   * the process dies first).
   */
  atomicFolder<T>(final: string, fill: (temp: string) => Promise<T>): Promise<T>;
}

export type CommandFn = (input: CommandInput, ctx: CommandContext) => Promise<number>;
/**
 * A command used as a `prepare: when:` step may also export `pending(input, ctx)`: what
 * it would do now, in a few words, or undefined when there is nothing to do. It must be
 * cheap and must not touch the network: `flow status` calls it.
 */
export type PendingFn = (
  input: CommandInput,
  ctx: Pick<CommandContext, "root" | "params" | "log">,
) => Promise<string | undefined> | string | undefined;

export interface CommandModule {
  command: CommandFn;
  cli: CommandCli;
  pending?: PendingFn;
}

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

/** Expected failures with a reason (exit code at the CLI boundary). */
export { FlowError } from "../errors.js";
/** URLs with their credentials replaced by *** — for every URL a command prints or records. */
export { redactUrl } from "../host/redact.js";
/** CSV text (pandas' to_csv dialect) → header and rows: the reader the engine uses for set tables. */
export { parseCsv } from "../pipeline/csv.js";
/** The members of a set read from a CSV table column, with `where` filters: the rule `sets: { table: … }` uses. */
export { tableSet } from "../pipeline/table-set.js";
/** Notes the sha256 of a file a command just wrote and verified, bound to its stat: a run takes it instead of reading the file again. */
export { noteDigest } from "../hash/digest-notes.js";
/** The canonical JSON encoding the engine hashes (sorted keys, exact numbers). */
export { canonical } from "../hash/canonical.js";
