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
}
export type CommandFn = (args: string[], ctx: CommandContext) => Promise<number>;

/** A temp name beside a path that the engine's sweep of dead writers recognises. */
export { tempSibling } from "./store/atomic.js";
