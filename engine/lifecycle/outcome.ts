// Outcomes → what the user and the records see, in one place: each node's outcome becomes
// one event (for the reporters), one line of the run record, and a count in the summary;
// the summary gives the exit code. A failure whose process was killed by an interrupt
// signal is held back until the run ends: if flow itself was interrupted, it is part of
// that (the one "interrupted" line says so), not a failure of its own.
import type { GraphNode } from "../model/graph-node.js";
import type { Logger } from "../model/events.js";
import { isSkip, type NodeOutcome } from "../model/outcome.js";
import type { RunLog, RunNode } from "../records/runs.js";

export interface Summary {
  ran: string[];
  restored: string[];
  upToDate: string[];
  failed: { id: string; error: string }[];
  skipped: string[];
  wallMs: number;
}

export class Tally {
  readonly summary: Summary = { ran: [], restored: [], upToDate: [], failed: [], skipped: [], wallMs: 0 };
  private held: { o: NodeOutcome; counted: boolean }[] = [];

  constructor(
    private readonly nodes: Map<string, GraphNode>,
    private readonly logger: Logger,
    private readonly runLog: RunLog | undefined,
    /** set once the run is interrupted: nothing more is said or recorded */
    private readonly signal: AbortSignal | undefined,
    /** the nodes the progress counter counts (those that needed work when the run started) */
    private readonly todo: Set<string>,
  ) {}

  add(o: NodeOutcome) {
    if (this.signal?.aborted) return;
    const counted = this.todo.has(o.id);
    if (!o.ok && o.reason === "interrupted") this.held.push({ o, counted });
    else this.say(o, counted);
  }

  /** A failed attempt of a task that will run again: recorded, and shown as a retry. */
  attempt(o: NodeOutcome) {
    if (this.signal?.aborted) return;
    this.runLog?.node(this.record(o));
  }

  private say(o: NodeOutcome, counted: boolean) {
    const s = this.summary;
    if (o.ok) (o.kind === "ran" ? s.ran : o.kind === "restored" ? s.restored : s.upToDate).push(o.id);
    else if (isSkip(o)) s.skipped.push(o.id);
    else s.failed.push({ id: o.id, error: o.message });
    this.runLog?.node(this.record(o));
    this.logger.emit({ type: "node-done", outcome: o, counted });
  }

  /** At the end of a run that was not interrupted: failures held back are failures after all. */
  flush() {
    if (this.signal?.aborted) return;
    for (const { o, counted } of this.held) this.say(o, counted);
    this.held = [];
  }

  /** The run record's line for an outcome. */
  record(o: NodeOutcome): RunNode {
    const n = this.nodes.get(o.id);
    return {
      type: "node",
      id: o.id,
      task: n?.task ?? o.id,
      vars: n?.vars ?? {},
      outcome: o.ok ? o.kind : isSkip(o) ? "skipped" : "failed",
      start: new Date(o.startedAt).toISOString(),
      end: new Date(o.startedAt + o.ms).toISOString(),
      ms: o.ms,
      reasons: o.reasons?.length ? o.reasons : undefined,
      error: o.ok ? undefined : o.message,
      reason: o.ok ? undefined : o.reason,
      key: o.key,
      attempt: o.attempts && o.attempts > 1 ? o.attempts : undefined,
      ...o.usage,
    };
  }

  get failedAny(): boolean {
    return this.summary.failed.length > 0 || this.summary.skipped.length > 0;
  }

  /** A run's exit code: 1 when a node failed or was skipped for a failure. */
  exitCode(): number {
    return this.failedAny ? 1 : 0;
  }
}
