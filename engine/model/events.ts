// Every line a run prints goes through one logger of typed events; reporters decide how
// they look (live progress on a terminal, plain lines in a log, JSON for machines).
import type { NodeOutcome } from "./outcome.js";

export type FlowEvent =
  /** the run starts: how many nodes need work (known before the first finishes) */
  | { type: "plan"; todo: number }
  | { type: "node-start"; id: string; action: "run" | "restore"; reasons?: string[]; attempt?: number }
  | { type: "node-log"; id: string; line: string }
  /** an attempt failed and the task runs again (resources.retries) */
  | { type: "node-retry"; outcome: NodeOutcome; left: number }
  | { type: "node-done"; outcome: NodeOutcome; counted: boolean }
  | { type: "warn"; message: string }
  | { type: "info"; message: string };

export interface Logger {
  emit(e: FlowEvent): void;
}
