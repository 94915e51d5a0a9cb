// What a task printed (stdout, stderr, its ctx.log lines), kept with the cache beside the
// provenance records — so a cluster job's output is there too — one file per key, the
// tail only: a task that prints gigabytes must not fill the disk.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../store/atomic.js";

export const OUTPUT_TAIL_BYTES = 64 * 1024;

/** The last OUTPUT_TAIL_BYTES of a stream of lines. */
export class OutputTail {
  private lines: string[] = [];
  private bytes = 0;
  private cut = 0;
  private head = 0; // lines[head…] are kept

  push(line: string) {
    this.lines.push(line);
    this.bytes += line.length + 1;
    while (this.bytes > OUTPUT_TAIL_BYTES && this.head < this.lines.length - 1) {
      const drop = this.lines[this.head++]!;
      this.bytes -= drop.length + 1;
      this.cut += drop.length + 1;
    }
    if (this.head > 4096) {
      this.lines = this.lines.slice(this.head);
      this.head = 0;
    }
  }

  get empty() {
    return this.lines.length === this.head;
  }

  text(): string {
    const kept = this.lines.slice(this.head).join("\n") + "\n";
    return this.cut ? `[… the first ${this.cut} bytes are not kept]\n${kept}` : kept;
  }
}

const fileOf = (cacheDir: string, key: string) => join(cacheDir, "logs", key.slice(0, 2), `${key}.log`);

/** Keeps what a task printed; a task that printed nothing leaves no file (one write less per trivial node). */
export function writeTaskOutput(cacheDir: string, key: string, tail: OutputTail) {
  if (tail.empty)
    rmSync(fileOf(cacheDir, key), { force: true }); // not an earlier attempt's output
  else writeFileAtomic(fileOf(cacheDir, key), tail.text());
}

export function readTaskOutput(cacheDir: string, key: string): string | undefined {
  try {
    return readFileSync(fileOf(cacheDir, key), "utf8");
  } catch {
    return undefined;
  }
}
