// What a task prints, bounded where it runs: the last OUTPUT_TAIL_BYTES of it (a task
// that prints 600 MB, or one 600 MB line with no newline, holds 64 kB here), and the
// complete lines as they come, for whoever follows it live — dropped, with a note, while
// too many are on their way (a slow reader must not make the writer hold them).
export const OUTPUT_TAIL_BYTES = 64 * 1024;

export class OutputTail {
  private chunks: string[] = [];
  private size = 0;
  private cut = 0;
  private partial = "";

  constructor(private readonly cap = OUTPUT_TAIL_BYTES) {}

  /** Some text (any part of a line); returns the complete lines it ended, for live readers. */
  push(text: string): string[] {
    this.chunks.push(text);
    this.size += text.length;
    while (this.size > this.cap && this.chunks.length) {
      const first = this.chunks[0]!;
      const drop = Math.min(first.length, this.size - this.cap);
      this.cut += drop;
      this.size -= drop;
      if (drop === first.length) this.chunks.shift();
      else this.chunks[0] = first.slice(drop);
    }
    if (this.chunks.length > 1024) this.chunks = [this.chunks.join("")];
    // complete lines for live readers; a line without its newline is held up to the cap
    const parts = (this.partial + text).split("\n");
    this.partial = parts.pop()!;
    if (this.partial.length > this.cap) {
      parts.push(`${this.partial.slice(0, 200)}… (a line of ${this.partial.length} characters so far)`);
      this.partial = "";
    }
    return parts;
  }

  /** A whole line (a ctx.log message). */
  line(s: string): string[] {
    return this.push(`${s}\n`);
  }

  get empty() {
    return this.size === 0;
  }

  text(): string {
    const kept = this.chunks.join("");
    const body = kept && !kept.endsWith("\n") ? `${kept}\n` : kept;
    return this.cut ? `[… the first ${this.cut} bytes are not kept]\n${body}` : body;
  }
}

/** Forwards live lines over a channel without holding more than `max` unsent: beyond that, lines are dropped and counted. */
export class LiveLines {
  private inFlight = 0;
  private dropped = 0;
  constructor(
    private readonly send: (line: string, done: () => void) => void,
    private readonly max = 256,
  ) {}
  push(lines: string[]) {
    for (const l of lines) {
      if (this.inFlight >= this.max) {
        this.dropped++;
        continue;
      }
      if (this.dropped) {
        const n = this.dropped;
        this.dropped = 0;
        this.forward(`[… ${n} lines not shown live; the tail is kept: flow log NODE --output]`);
      }
      this.forward(l);
    }
  }
  private forward(l: string) {
    this.inFlight++;
    this.send(l, () => this.inFlight--);
  }
}
