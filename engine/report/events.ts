// Every line flow prints goes through one logger of typed events; reporters decide
// how they look (live progress on a terminal, plain lines in a log, JSON for machines).

import type { Usage } from "../exec/types.js";

export type Outcome = "ran" | "restored" | "up-to-date" | "failed" | "skipped";

export type FlowEvent =
  | { type: "plan"; total: number }
  | { type: "node-start"; id: string; action: "run" | "restore"; reasons?: string[] }
  | { type: "node-log"; id: string; line: string }
  | {
      type: "node-done";
      id: string;
      outcome: Outcome;
      ms: number;
      error?: string;
      detail?: string;
      /** when it started (epoch ms), and what it cost where that is known */
      startedAt?: number;
      usage?: Usage;
      key?: string;
    }
  | { type: "warn"; message: string }
  | { type: "info"; message: string };

export interface Summary {
  ran: string[];
  restored: string[];
  upToDate: string[];
  failed: { id: string; error: string }[];
  skipped: string[];
  wallMs: number;
}

export interface Logger {
  emit(e: FlowEvent): void;
}
