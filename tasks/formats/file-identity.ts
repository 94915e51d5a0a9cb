// What a worker's memo knows a file by between nodes: path, size, mtime and inode — the
// identity the engine's stat cache trusts (and the engine re-checks every input after a
// node ran), so a file replaced at the same path is never mistaken for the one before.
import { statSync } from "node:fs";

export function fileIdentity(path: string): string {
  const st = statSync(path);
  return `${path}\0${st.size}\0${st.mtimeMs}\0${st.ino}`;
}
