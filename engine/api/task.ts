// `#flow/task`: what a TypeScript task module is written against. Its default export is
// `defineTask({ inputs, outputs, params, run(ctx) })`: it reads ctx.inputs and writes every
// path in ctx.outputs (temporary paths: the engine hashes them and moves them into place).
// The declaration types `ctx` — no casts, no Number(…) — and is checked against the node
// pipeline.yaml gives before the task runs (a mismatch names the module and every
// difference). Nothing else of the engine is promised to a task.
import type { ParamValue } from "../model/graph-node.js";

export type { ParamValue };

/** How a param reaches the task: its type (a foreach value is text: "integer" or "number" read it as one). */
export type ParamKind = "string" | "number" | "integer" | "boolean" | "strings" | "numbers" | "value";
type ParamOf<K> = K extends "string"
  ? string
  : K extends "number" | "integer"
    ? number
    : K extends "boolean"
      ? boolean
      : K extends "strings"
        ? string[]
        : K extends "numbers"
          ? number[]
          : ParamValue;

export interface TaskContext {
  node: string;
  key: string;
  /** declared params and the node's foreach values, converted to their declared kinds */
  params: Record<string, ParamValue>;
  inputs: Record<string, string | string[]>;
  /**
   * The content hash (sha256) of each input, as the node's key names it. A task that keeps
   * what it read for its next node (a worker's memo) keys it on this — never on a path or
   * a file's stat, which a file rewritten in place may keep.
   */
  inputHashes: Record<string, string | string[]>;
  outputs: Record<string, string | Record<string, string>>;
  root: string;
  flowVersion: string;
  log(message: string): void;
}

/**
 * What a task says it takes and makes: inputs and outputs by name — "file" (one path) or
 * "files" (a list gathered over another task's nodes; one output per member of a set) —
 * and its params with their kinds.
 */
export interface TaskDeclaration {
  inputs?: Record<string, "file" | "files">;
  outputs?: Record<string, "file" | "files">;
  params?: Record<string, ParamKind>;
}

export interface TaskModule {
  declared?: TaskDeclaration;
  run(ctx: TaskContext): Promise<void> | void;
}

type InputsOf<I> = { [K in keyof I]: I[K] extends "files" ? string[] : string };
type OutputsOf<O> = { [K in keyof O]: O[K] extends "files" ? Record<string, string> : string };

/** The context a declared task sees: its own names, typed. */
export interface DeclaredContext<I, O, P extends Record<string, ParamKind>> extends Omit<
  TaskContext,
  "inputs" | "inputHashes" | "outputs" | "params"
> {
  inputs: InputsOf<I>;
  inputHashes: InputsOf<I>;
  outputs: OutputsOf<O>;
  params: { [K in keyof P]: ParamOf<P[K]> };
}

/** Params declared as a list of names (no kinds): each reaches the task as the value pipeline.yaml gives. */
type KindsOf<P> = P extends readonly string[] ? { [K in P[number]]: "value" } : P extends Record<string, ParamKind> ? P : never;

export function defineTask<
  const I extends Record<string, "file" | "files"> = Record<never, "file">,
  const O extends Record<string, "file" | "files"> = Record<never, "file">,
  const P extends Record<string, ParamKind> | readonly string[] = Record<never, ParamKind>,
>(t: { inputs?: I; outputs?: O; params?: P; run(ctx: DeclaredContext<I, O, KindsOf<P>>): Promise<void> | void }): TaskModule {
  const params = Array.isArray(t.params)
    ? Object.fromEntries((t.params as readonly string[]).map((p) => [p, "value" as const]))
    : (t.params as Record<string, ParamKind> | undefined);
  return {
    declared: { inputs: t.inputs, outputs: t.outputs, params },
    run: (ctx) => t.run(ctx as unknown as DeclaredContext<I, O, KindsOf<P>>),
  };
}

/** An expected failure (bad input): reported as its message alone, no stack. */
export class TaskError extends Error {
  readonly expected = true;
  constructor(message: string) {
    super(message);
    this.name = "TaskError";
  }
}

/** The canonical JSON encoding the engine hashes (sorted keys, exact numbers). */
export { canonical } from "../hash/canonical.js";
/** CSV text (pandas' to_csv dialect) → header and rows. */
export { parseCsv } from "../pipeline/csv.js";
