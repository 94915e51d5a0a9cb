// A text file written line by line through a 1 MB buffer: tables of millions of rows
// without one string of the whole (V8's longest string is ~0.5·10⁹ characters) and
// without a write call per line.
import { openSync, writeSync, closeSync } from "node:fs";

export class LineWriter {
  private fd: number;
  private buf: string[] = [];
  private size = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, "w");
  }

  /** Appends one line (a newline follows it). */
  line(l: string) {
    this.buf.push(l);
    this.size += l.length;
    if (this.size > 1 << 20) this.flush();
  }

  private flush() {
    if (this.buf.length) writeSync(this.fd, this.buf.join("\n") + "\n");
    this.buf = [];
    this.size = 0;
  }

  close() {
    this.flush();
    closeSync(this.fd);
  }
}
