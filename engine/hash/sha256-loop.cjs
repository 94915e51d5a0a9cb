// The one loop that reads a file and hashes it (sha256), optionally copying it on the
// way: the head's main thread and its hash threads both require this file, so there is
// one implementation of "read every byte once". Plain CommonJS: a worker thread loads
// it without the TypeScript loader.
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: loaded by worker threads without the TypeScript loader */
"use strict";
const { createHash } = require("node:crypto");
const { openSync, readSync, writeSync, closeSync } = require("node:fs");

const CHUNK = 4 << 20;
let shared;

/**
 * sha256 of the file at `path`, and how many bytes were read. With `dest`, the bytes are
 * also written there (created with mode 0644, truncated), so a copy is verified by the
 * same read that hashes it.
 */
function hashFile(path, dest) {
  const h = createHash("sha256");
  const buf = (shared ??= Buffer.allocUnsafe(CHUNK));
  const fd = openSync(path, "r");
  let out;
  let bytes = 0;
  try {
    if (dest !== undefined) out = openSync(dest, "w", 0o644);
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
      bytes += n;
      if (out !== undefined) for (let off = 0; off < n;) off += writeSync(out, buf, off, n - off);
    }
  } finally {
    closeSync(fd);
    if (out !== undefined) closeSync(out);
  }
  return { hash: h.digest("hex"), bytes };
}

module.exports = { hashFile };
