// Building the one result type (model/outcome.ts).
import type { FailureReason, NodeFailure, NodeOutcome, NodeResult } from "../model/outcome.js";
import type { OutputHashes } from "../model/graph-node.js";
import type { Usage } from "../model/usage.js";

export interface Started {
  id: string;
  startedAt: number;
  key?: string;
  reasons?: string[];
}

export function succeeded(s: Started, kind: NodeResult["kind"], outputs: OutputHashes, extra: { usage?: Usage; attempts?: number } = {}): NodeResult {
  return { ok: true, kind, outputs, id: s.id, startedAt: s.startedAt, ms: Date.now() - s.startedAt, key: s.key, reasons: s.reasons, ...extra };
}

export function failed(
  s: Started,
  reason: FailureReason,
  message: string,
  extra: { detail?: string; usage?: Usage; attempts?: number } = {},
): NodeFailure {
  return { ok: false, reason, message, id: s.id, startedAt: s.startedAt, ms: Date.now() - s.startedAt, key: s.key, reasons: s.reasons, ...extra };
}

/** A node the scheduler does not run: an upstream failed, or the run stopped after a failure. */
export function skipped(id: string, upstream: string | undefined): NodeFailure {
  return failed(
    { id, startedAt: Date.now() },
    upstream ? "upstream-failed" : "stopped",
    upstream ? `upstream ${upstream} failed` : "run stopped after a failure",
  );
}

/** Failures worth another attempt when a task has `resources.retries`: the task's own, not the inputs' or the disk's. */
export const retryable = (o: NodeOutcome) => !o.ok && (o.reason === "task-failed" || o.reason === "crashed" || o.reason === "job-lost");
