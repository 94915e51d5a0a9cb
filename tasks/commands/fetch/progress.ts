// Download progress: bytes, rate and ETA per file and overall. On a terminal, a block of
// lines redrawn in place; otherwise plain lines — one per finished file and an overall
// line every 15 s — so a log file stays readable.
import { gb } from "./space.js";

/** The rate an ETA is computed from: the bytes of the last RATE_WINDOW_MS (a stall shows at once; the average since the start would hide it). */
const RATE_WINDOW_MS = 10_000;

interface FileState {
  name: string;
  size?: number;
  done: number;
  t0: number;
  base: number;
}

export class Progress {
  private active = new Map<string, FileState>();
  private finished = 0;
  private knownBytes = 0; // sizes of files started or finished
  private doneBytes = 0; // bytes on disk of those files
  private sessionBytes = 0; // bytes received in this run
  private drawn = 0;
  private timer?: NodeJS.Timeout;
  private readonly t0 = Date.now();
  /** (time, bytes received so far) samples over the last RATE_WINDOW_MS */
  private samples: { t: number; bytes: number }[] = [{ t: Date.now(), bytes: 0 }];

  constructor(
    private readonly total: number,
    private readonly log: (m: string) => void,
    private readonly tty?: NodeJS.WriteStream,
  ) {
    this.timer = setInterval(() => (tty ? this.draw() : this.log(`fetch: ${this.overall()}`)), tty ? 250 : 15_000);
    this.timer.unref();
  }

  start(name: string, size: number, offset: number) {
    const prev = this.active.get(name);
    if (prev?.size !== undefined) {
      this.knownBytes -= prev.size;
      this.doneBytes -= prev.done;
    }
    this.active.set(name, { name, size, done: offset, t0: Date.now(), base: offset });
    this.knownBytes += size;
    this.doneBytes += offset;
    if (!this.tty && !prev) this.log(`fetch: ${name}: ${gb(size)}${offset ? `, resuming at ${gb(offset)}` : ""}`);
  }

  bytes(name: string, n: number) {
    const f = this.active.get(name);
    if (!f) return;
    f.done += n;
    this.doneBytes += n;
    this.sessionBytes += n;
    const now = Date.now();
    if (now - this.samples[this.samples.length - 1]!.t >= 200) this.samples.push({ t: now, bytes: this.sessionBytes });
  }

  /** Bytes per second over the last RATE_WINDOW_MS (a window with no bytes: 0). */
  recentRate(now = Date.now()): number {
    if (now - this.samples[this.samples.length - 1]!.t >= 200) this.samples.push({ t: now, bytes: this.sessionBytes });
    // the base: the latest sample at least a window old (or the first one)
    while (this.samples.length > 1 && now - this.samples[1]!.t >= RATE_WINDOW_MS) this.samples.shift();
    const base = this.samples[0]!;
    const s = (now - base.t) / 1000;
    return s > 0 ? (this.sessionBytes - base.bytes) / s : 0;
  }

  retry(name: string, why: string, attempt: number, waitMs: number) {
    this.line(`fetch: ${name}: ${why}; retry ${attempt} in ${(waitMs / 1000).toFixed(1)} s`);
  }

  finish(name: string) {
    const f = this.active.get(name);
    this.active.delete(name);
    this.finished++;
    const s = f ? (Date.now() - f.t0) / 1000 : 0;
    const rate = f && s > 0 ? ` at ${gb((f.done - f.base) / s)}/s` : "";
    this.line(`fetch: ${name} ✔ ${f?.size !== undefined ? gb(f.size) : ""} in ${s.toFixed(1)} s${rate} [${this.finished}/${this.total}]`);
  }

  fail(name: string) {
    this.active.delete(name);
  }

  stop() {
    clearInterval(this.timer);
    if (this.tty) this.erase();
  }

  private line(m: string) {
    if (this.tty) this.erase();
    this.log(m);
    if (this.tty) this.draw();
  }

  private overall(): string {
    const rate = this.recentRate();
    const started = this.finished + this.active.size;
    // Files not started yet are taken at the mean size of those seen so far.
    const expect = started ? this.knownBytes + (this.total - started) * (this.knownBytes / started) : 0;
    const eta = rate > 0 && expect > 0 ? ` · ETA ${duration((expect - this.doneBytes) / rate)}` : "";
    return `${this.finished}/${this.total} files · ${gb(this.doneBytes)} of ~${gb(expect)} · ${gb(rate)}/s${eta}`;
  }

  private draw() {
    if (!this.tty) return;
    this.erase();
    const lines = [...this.active.values()].map((f) => {
      const s = (Date.now() - f.t0) / 1000;
      const rate = s > 0 ? (f.done - f.base) / s : 0;
      const pct = f.size ? ` ${((100 * f.done) / f.size).toFixed(0)}%` : "";
      const eta = rate > 0 && f.size ? ` ETA ${duration((f.size - f.done) / rate)}` : "";
      return `  ${f.name} ${gb(f.done)}/${f.size !== undefined ? gb(f.size) : "?"}${pct} ${gb(rate)}/s${eta}`;
    });
    lines.push(`fetch: ${this.overall()}`);
    this.tty.write(lines.map((l) => l.slice(0, (this.tty!.columns || 100) - 1)).join("\n") + "\n");
    this.drawn = lines.length;
  }

  private erase() {
    if (this.tty && this.drawn) this.tty.write(`\x1b[${this.drawn}F\x1b[J`);
    this.drawn = 0;
  }
}

export function duration(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${Math.ceil(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}
