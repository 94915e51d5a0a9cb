// Intermediates are JSON; writing goes through one function so the bytes are stable
// (key order as built, no whitespace).
import { readFileSync, writeFileSync, openSync, readSync, closeSync } from "node:fs";
import { keptPerFile } from "./file-identity.js";
import { LineWriter } from "./lines.js";
import { StringDecoder } from "node:string_decoder";
import { isAscii } from "node:buffer";
import { TaskError } from "#flow/task";

export function writeJson(path: string, v: unknown) {
  writeFileSync(path, JSON.stringify(v));
}

/**
 * Bytes → string, ASCII the fast way: Node decodes UTF-8 slowly, and a full session's
 * presentation table is tens of MB; latin1 is the same string for ASCII bytes, and many
 * times faster. Anything else is decoded as UTF-8.
 */
export function decodeText(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
}

export function readJson<T>(path: string): T {
  try {
    return JSON.parse(decodeText(readFileSync(path))) as T;
  } catch (e) {
    throw new TaskError(`${path}: cannot read (${(e as Error).message})`);
  }
}

/**
 * readJson for a worker's run of nodes that read the same file (a session's ten bin
 * nodes each read its kept presentations, ~5 MB at full size): the last file read is
 * kept, known by its content hash (`identity`, from ctx.inputHashes), so other bytes are
 * read again whatever their path and stat. The value is shared: callers must not change
 * it (it is typed readonly all the way down).
 */
export function readJsonKept<T>(path: string, identity: string | undefined): DeepReadonly<T> {
  try {
    return keptPerFile("json", identity, () => readJson<T>(path)) as DeepReadonly<T>;
  } catch (e) {
    if (e instanceof TaskError) throw e;
    throw new TaskError(`${path}: cannot read (${(e as Error).message})`);
  }
}

export type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * Values appended one JSON line at a time to a spool file, read back in order in chunks
 * (never the whole file as one string).
 */
export class JsonLines<T> {
  private out: LineWriter;

  constructor(readonly path: string) {
    this.out = new LineWriter(path);
  }

  push(v: T) {
    this.out.line(JSON.stringify(v));
  }

  close() {
    this.out.close();
  }

  /** Closes the spool and calls fn for every value, in order. */
  drain(fn: (v: T) => void) {
    this.out.close();
    JsonLines.read(this.path, fn);
  }

  /** Calls fn for every value of a JSON-lines file, in order. */
  static read<T>(path: string, fn: (v: T) => void) {
    const fd = openSync(path, "r");
    try {
      const chunk = Buffer.alloc(4 << 20);
      const utf8 = new StringDecoder("utf8"); // a character split across two chunks stays whole
      let ascii = true; // until a chunk is not: from then on the decoder may hold a split character
      let rest = "";
      for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0;) {
        const bytes = chunk.subarray(0, n);
        ascii &&= isAscii(bytes);
        const lines = (rest + (ascii ? bytes.toString("latin1") : utf8.write(bytes))).split("\n");
        rest = lines.pop()!;
        for (const l of lines) if (l) fn(JSON.parse(l) as T);
      }
      if (rest) fn(JSON.parse(rest) as T);
    } finally {
      closeSync(fd);
    }
  }
}
