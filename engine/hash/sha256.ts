// sha256 of files, in this thread: the loop is sha256-loop.cjs, shared with the hash
// threads. Counts what it reads, so tests can prove that a command read nothing.
import { createRequire } from "node:module";

const loop = createRequire(import.meta.url)("./sha256-loop.cjs") as {
  hashFile(path: string, dest?: string): { hash: string; bytes: number };
};

/** Real file reads, in this thread and the hash threads. */
export const hashCounter = { files: 0, bytes: 0 };

export function countRead(bytes: number) {
  hashCounter.files++;
  hashCounter.bytes += bytes;
}

/** The file's sha256 (reads it whole). */
export function hashFile(path: string): string {
  const r = loop.hashFile(path);
  countRead(r.bytes);
  return r.hash;
}

/** Copies `src` to `dest` (mode 0644) and returns the sha256 of the bytes copied: one read for both. */
export function copyHashing(src: string, dest: string): string {
  const r = loop.hashFile(src, dest);
  countRead(r.bytes);
  return r.hash;
}
