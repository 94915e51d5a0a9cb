// Reporters: how events look. A terminal gets one live progress line; anything else
// gets plain lines; --json prints nothing during the run and the summary at the end.
import type { FlowEvent, Logger, Summary } from "./events.js";

type Write = (s: string) => void;

export class PlainReporter implements Logger {
  constructor(private readonly out: Write, private readonly err: Write, private readonly verbose = false) {}
  emit(e: FlowEvent) {
    switch (e.type) {
      case "node-start":
        if (e.action === "run") this.out(`▶ ${e.id}\n`);
        break;
      case "node-log":
        if (this.verbose) this.out(`  ${e.id}: ${e.line}\n`);
        break;
      case "node-done":
        if (e.outcome === "ran") this.out(`✔ ${e.id} (${(e.ms / 1000).toFixed(1)} s)\n`);
        else if (e.outcome === "restored") this.out(`↺ ${e.id} restored from cache\n`);
        else if (e.outcome === "failed") {
          this.err(`✘ ${e.id}: ${e.error}\n`);
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

export class TtyReporter implements Logger {
  private total = 0;
  private done = 0;
  private readonly running = new Set<string>();
  private readonly t0 = Date.now();
  private timer?: NodeJS.Timeout;
  constructor(private readonly out: Write, private readonly plain: PlainReporter) {}

  emit(e: FlowEvent) {
    if (e.type === "plan") {
      this.total = e.total;
      this.timer = setInterval(() => this.draw(), 250);
      this.timer.unref();
    }
    if (e.type === "node-start") this.running.add(e.id);
    if (e.type === "node-done") {
      this.running.delete(e.id);
      this.done++;
    }
    if (e.type === "node-done" || e.type === "warn" || e.type === "info" || e.type === "node-log") {
      if (e.type !== "node-done" || e.outcome !== "up-to-date") {
        this.clear();
        this.plain.emit(e);
      }
    }
    this.draw();
  }

  private clear() {
    this.out("\r\x1b[2K");
  }

  private draw() {
    if (!this.total) return;
    const secs = ((Date.now() - this.t0) / 1000).toFixed(0);
    const names = [...this.running].slice(0, 3).join(", ") + (this.running.size > 3 ? ` +${this.running.size - 3}` : "");
    const cols = process.stdout.columns ?? 100;
    const line = `[${this.done}/${this.total}] ${secs}s ${names}`;
    this.out(`\r\x1b[2K${line.slice(0, cols - 1)}`);
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.clear();
  }
}

/** The closing line; after a failure, how many nodes of each task were skipped (all of them with -v). */
export function formatSummary(s: Summary, verbose = false): string {
  const parts = [
    `${s.ran.length} ran`, `${s.restored.length} restored`, `${s.upToDate.length} up to date`,
    `${s.failed.length} failed`,
  ];
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
