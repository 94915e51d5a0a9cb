// What happened to one node: the one result type of the node lifecycle. Every path —
// up to date, restored, run here, run on the cluster, skipped — ends in a NodeOutcome;
// events, run records, the summary and the exit code are made from it in one place
// (lifecycle/outcome.ts).
import type { OutputHashes } from "./graph-node.js";
import type { Usage } from "./usage.js";

/** Why a node did not end with its outputs in place. */
export type FailureReason =
  /** an external input is not there */
  | "input-missing"
  /** the task reported a failure (exit code, an exception) */
  | "task-failed"
  /** its process died (a worker's crash or OOM, the shell helper) */
  | "crashed"
  /** its process was killed by an interrupt signal (Ctrl-C reaches the whole process group) */
  | "interrupted"
  /** an input changed while the task ran: its result may come from other bytes than its key names */
  | "input-changed"
  /** its outputs could not be hashed, stored or indexed (not regular files, a full disk) */
  | "store-failed"
  /** its outputs could not be put into the workspace (a full or read-only disk) */
  | "restore-failed"
  /** a cluster job ended without a result (cancelled, timed out, lost) */
  | "job-lost"
  /** not run: a node it needs failed */
  | "upstream-failed"
  /** not run: the run stopped after a failure (no --keep-going) */
  | "stopped";

interface Common {
  id: string;
  /** when it started (epoch ms), and how long it took */
  startedAt: number;
  ms: number;
  key?: string;
  usage?: Usage;
  /** why it was not up to date */
  reasons?: string[];
  /** how many times its task ran (resources.retries) */
  attempts?: number;
}

export interface NodeResult extends Common {
  ok: true;
  kind: "up-to-date" | "restored" | "ran";
  outputs: OutputHashes;
}

export interface NodeFailure extends Common {
  ok: false;
  reason: FailureReason;
  message: string;
  /** a stack or a log tail, shown with --verbose */
  detail?: string;
}

export type NodeOutcome = NodeResult | NodeFailure;

/** A failure that is not the node's own: it was never run. */
export const isSkip = (o: NodeOutcome) => !o.ok && (o.reason === "upstream-failed" || o.reason === "stopped");
