// What a worker's memo knows a file by between nodes: path, size, mtime and inode — the
// identity the engine's stat cache trusts (and the engine re-checks every input after a
// node ran), so a file replaced at the same path is never mistaken for the one before.
import { statSync } from "node:fs";

export function fileIdentity(path: string): string {
  const st = statSync(path);
  return `${path}\0${st.size}\0${st.mtimeMs}\0${st.ino}`;
}

const kept = new Map<string, { id: string; value: unknown }>();

/**
 * What `read` gives for the file at `path`, kept by the worker for its next node: one file
 * per `slot` (a session's ten bin nodes run one after another in one worker, and each
 * would otherwise read the same arrays again). A file whose identity changed is read
 * anew. The value is shared between nodes: callers must not change it.
 */
export function keptPerFile<T>(slot: string, path: string, read: () => T): T {
  const id = fileIdentity(path);
  const hit = kept.get(slot);
  if (hit?.id === id) return hit.value as T;
  kept.delete(slot); // let the last file's value go before reading the next
  const value = read();
  kept.set(slot, { id, value });
  return value;
}
