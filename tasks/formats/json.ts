// Intermediates are JSON; writing goes through one function so the bytes are stable
// (key order as built, no whitespace).
import { readFileSync, writeFileSync, openSync, writeSync, readSync, closeSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { TaskError } from "#flow/task";

export function writeJson(path: string, v: unknown) {
  writeFileSync(path, JSON.stringify(v));
}

export function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch (e) {
    throw new TaskError(`${path}: cannot read (${(e as Error).message})`);
  }
}

/**
 * Values appended one JSON line at a time to a spool file, read back in order in chunks
 * (never the whole file as one string).
 */
export class JsonLines<T> {
  private fd: number;
  private buf: string[] = [];
  private size = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, "w");
  }

  push(v: T) {
    const l = JSON.stringify(v);
    this.buf.push(l);
    this.size += l.length;
    if (this.size > 1 << 20) this.flush();
  }

  private flush() {
    if (this.buf.length) writeSync(this.fd, this.buf.join("\n") + "\n");
    this.buf = [];
    this.size = 0;
  }

  /** Closes the spool and calls fn for every value, in order. */
  drain(fn: (v: T) => void) {
    this.flush();
    closeSync(this.fd);
    const fd = openSync(this.path, "r");
    try {
      const chunk = Buffer.alloc(4 << 20);
      const utf8 = new StringDecoder("utf8"); // a character split across two chunks stays whole
      let rest = "";
      for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0;) {
        const lines = (rest + utf8.write(chunk.subarray(0, n))).split("\n");
        rest = lines.pop()!;
        for (const l of lines) if (l) fn(JSON.parse(l) as T);
      }
      if (rest) fn(JSON.parse(rest) as T);
    } finally {
      closeSync(fd);
    }
  }
}
