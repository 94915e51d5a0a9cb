// Where a command writes, and what its caller hands it: the CLI boundary's injected
// pieces (bin/flow.js gives the process's streams; tests give strings and a worker pool).
import type { Executor } from "../exec/executor.js";
import { Session, type GraphNeed } from "../session/session.js";
import { readConfig, type CommonInput, type FlowConfig } from "../session/config.js";
import { parseStepLine } from "./command-line.js";
import type { Interrupts } from "./interrupt.js";

export interface Io {
  out(s: string): void;
  err(s: string): void;
  isTTY: boolean;
  /**
   * A worker pool the caller keeps across runs (the in-process test tier): local runs
   * use it and leave it open. Without one, each run starts its own and ends it. The
   * caller must only share it between runs whose task modules do not change (a worker
   * keeps the modules it imported).
   */
  workers?: Executor;
  /** aborted when the process is interrupted (SIGINT, SIGTERM; its reason is the signal's name) */
  interrupts?: Interrupts;
}

/** Warnings of a command that has no run logger: one line each on stderr. */
export const warnOn = (io: Io) => (m: string) => io.err(`warning: ${m}\n`);

/** The session of a command: its configuration read once, the pipeline, workspace and cache. */
export async function openSession(input: CommonInput, io: Io, need: GraphNeed, config: FlowConfig = readConfig(input)): Promise<Session> {
  return Session.open(config, { warn: warnOn(io), parseStep: parseStepLine, workers: io.workers }, need);
}
