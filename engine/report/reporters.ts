// Reporters: how events look. A terminal gets one live progress line; anything else
// gets plain lines; --json prints nothing during the run and the summary at the end.
import type { FlowEvent, Logger, Summary } from "./events.js";

type Write = (s: string) => void;

/**
 * Counts what a run has to do: N is the nodes found needing work (to run or to restore)
 * — the total less those found up to date, and less those skipped after a failure — so
 * it settles within the first moments, as the up-to-date checks are quick; n is those
 * finished.
 */
export class Progress {
  total = 0;
  done = 0;
  private upToDate = 0;
  private skipped = 0;
  readonly t0 = Date.now();

  see(e: FlowEvent) {
    if (e.type === "plan") this.total = e.total;
    if (e.type !== "node-done") return;
    if (e.outcome === "up-to-date") this.upToDate++;
    else if (e.outcome === "skipped") this.skipped++;
    else this.done++;
  }

  get todo() {
    return Math.max(this.done, this.total - this.upToDate - this.skipped);
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
        if (this.verbose && e.action === "run") this.out(`▶ ${e.id}\n`);
        break;
      case "node-log":
        if (this.verbose) this.out(`  ${e.id}: ${e.line}\n`);
        break;
      case "node-done":
        if (e.outcome === "ran") this.out(`${at()} ✔ ${e.id} (${(e.ms / 1000).toFixed(1)} s)\n`);
        else if (e.outcome === "restored") this.out(`${at()} ↺ ${e.id} restored from cache\n`);
        else if (e.outcome === "failed") {
          this.err(`${at()} ✘ ${e.id}: ${e.error}\n`);
          if (this.verbose && e.detail) this.err(`${e.detail}\n`);
        } else if (e.outcome === "skipped" && this.verbose) this.err(`- ${e.id} skipped: ${e.error}\n`);
        // (without -v, skipped nodes are counted per task in the summary)
        break;
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
    if (e.type === "node-done") this.running.delete(e.id);
    this.clear();
    this.plain.emit(e); // counts, and prints what is worth a line
    this.draw();
  }

  private clear() {
    this.out("\r\x1b[2K");
  }

  private draw() {
    const p = this.plain.progress;
    if (!p.total) return;
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

/** A node id's task: `bin[session=1,stimulus=x]` → `bin`. */
export function taskOf(id: string): string {
  const b = id.indexOf("[");
  return b < 0 ? id : id.slice(0, b);
}
