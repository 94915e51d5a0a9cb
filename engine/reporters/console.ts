// Reporters: how a run's events look. A terminal gets one live progress line under the
// plain lines; anything else gets plain lines; --json prints failures and warnings only
// (the summary follows on stdout).
import type { FlowEvent, Logger } from "../model/events.js";
import { isSkip } from "../model/outcome.js";
import { taskOf } from "../model/graph-node.js";
import type { Summary } from "../lifecycle/outcome.js";

type Write = (s: string) => void;

/**
 * [n/N]: N is the number of nodes that needed work when the run started (the run assesses
 * every node before it starts one, so N is right from the first line); n counts those
 * that finished — ran, restored, failed, or found up to date after all (an upstream that
 * re-ran wrote the same bytes).
 */
export class Progress {
  todo = 0;
  done = 0;
  readonly t0 = Date.now();

  see(e: FlowEvent) {
    if (e.type === "plan") this.todo = e.todo;
    if (e.type === "node-done" && e.counted) this.done++;
  }

  /** A rough ETA from the pace so far (seconds), once something finished. */
  eta(): number | undefined {
    if (this.done === 0 || this.todo <= this.done) return undefined;
    return (((Date.now() - this.t0) / this.done) * (this.todo - this.done)) / 1000;
  }
}

const clock = (t = new Date()) => t.toTimeString().slice(0, 8);

/** Without a terminal: one line per finished node, with [n/N] and the time. */
export class PlainReporter implements Logger {
  readonly progress = new Progress();
  constructor(
    private readonly out: Write,
    private readonly err: Write,
    private readonly verbose = false,
  ) {}
  emit(e: FlowEvent) {
    this.progress.see(e);
    const at = () => `${clock()} [${this.progress.done}/${this.progress.todo}]`;
    switch (e.type) {
      case "node-start":
        if (this.verbose && e.action === "run") this.out(`▶ ${e.id}${e.attempt && e.attempt > 1 ? ` (attempt ${e.attempt})` : ""}\n`);
        break;
      case "node-log":
        if (this.verbose) this.out(`  ${e.id}: ${e.line}\n`);
        break;
      case "node-retry":
        if (!e.outcome.ok)
          this.err(`${clock()} ↻ ${e.outcome.id}: ${e.outcome.message} — running it again (${e.left} ${e.left === 1 ? "try" : "tries"} left)\n`);
        break;
      case "node-done": {
        const o = e.outcome;
        if (o.ok && o.kind === "ran") this.out(`${at()} ✔ ${o.id} (${(o.ms / 1000).toFixed(1)} s)\n`);
        else if (o.ok && o.kind === "restored") this.out(`${at()} ↺ ${o.id} restored from cache\n`);
        else if (o.ok && e.counted) this.out(`${at()} = ${o.id} up to date (its inputs came out the same)\n`);
        else if (!o.ok && !isSkip(o)) {
          this.err(`${at()} ✘ ${o.id}: ${o.message}\n`);
          if (this.verbose && o.detail) this.err(`${o.detail}\n`);
        } else if (!o.ok && this.verbose) this.err(`- ${o.id} skipped: ${o.message}\n`);
        // (without -v, skipped nodes are counted per task in the summary)
        break;
      }
      case "warn":
        this.err(`warning: ${e.message}\n`);
        break;
      case "info":
        this.out(`${e.message}\n`);
        break;
    }
  }
}

/** On a terminal: the plain lines, and under them one line redrawn: [n/N], elapsed, ETA, what runs. */
export class TtyReporter implements Logger {
  private readonly running = new Set<string>();
  private timer?: NodeJS.Timeout;
  constructor(
    private readonly out: Write,
    private readonly plain: PlainReporter,
    private readonly columns = () => process.stdout.columns ?? 100,
  ) {}

  emit(e: FlowEvent) {
    if (e.type === "plan") {
      this.timer = setInterval(() => this.draw(), 250);
      this.timer.unref();
    }
    if (e.type === "node-start") this.running.add(e.id);
    if (e.type === "node-done") this.running.delete(e.outcome.id);
    this.clear();
    this.plain.emit(e); // counts, and prints what is worth a line
    this.draw();
  }

  private clear() {
    this.out("\r\x1b[2K");
  }

  private draw() {
    const p = this.plain.progress;
    if (!p.todo) return;
    const secs = Math.round((Date.now() - p.t0) / 1000);
    const eta = p.eta();
    let line = `[${p.done}/${p.todo}] ${secs}s${eta !== undefined ? ` ETA ~${Math.ceil(eta)}s` : ""}`;
    // whole names only: a name is never cut in the middle of its brackets
    const cols = this.columns() - 1;
    const names = [...this.running];
    let shown = 0;
    for (const n of names) {
      const more = names.length - shown - 1;
      const add = `${shown ? ", " : " "}${n}`;
      if (line.length + add.length + (more ? ` +${more}`.length : 0) > cols) break;
      line += add;
      shown++;
    }
    if (shown < names.length) line += ` +${names.length - shown}`;
    this.out(`\r\x1b[2K${line.slice(0, cols)}`);
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.clear();
  }
}

/** With --json: only failures, warnings and notices, on stderr (stdout keeps the summary). */
export class QuietReporter implements Logger {
  constructor(
    private readonly plain: PlainReporter,
    private readonly err: Write,
  ) {}
  emit(e: FlowEvent) {
    if (e.type === "info") this.err(`${e.message}\n`);
    else if ((e.type === "node-done" && !e.outcome.ok && !isSkip(e.outcome)) || e.type === "warn" || e.type === "node-retry") this.plain.emit(e);
  }
}

/** The closing line; after a failure, how many nodes of each task were skipped (all of them with -v). */
export function formatSummary(s: Summary, verbose = false): string {
  const parts = [`${s.ran.length} ran`, `${s.restored.length} restored`, `${s.upToDate.length} up to date`, `${s.failed.length} failed`];
  if (s.skipped.length) parts.push(`${s.skipped.length} skipped`);
  const lines = [`${parts.join(", ")} in ${(s.wallMs / 1000).toFixed(1)} s`];
  if (s.skipped.length && !verbose) {
    const perTask = new Map<string, number>();
    for (const id of s.skipped) {
      const task = taskOf(id);
      perTask.set(task, (perTask.get(task) ?? 0) + 1);
    }
    lines.unshift(`skipped because of the failure: ${[...perTask].map(([t, n]) => `${t} ×${n}`).join(", ")} (-v lists them)`);
  }
  return lines.join("\n");
}
