// Digests noted by the program that wrote a file, kept beside it. `flow fetch` computes
// the sha256 of each file over the very bytes it streamed (and checked against the
// server's MD5), so a first run need not read 75 GB of NWB files again to learn what it
// already knew. A note is bound to the file's stat as the stat cache is — size, mtime,
// ctime, inode, taken after the file got its name — so a file rewritten, replaced,
// touched or copied elsewhere no longer matches its note and is hashed as before.
// Notes live in `.flow-digests.jsonl` in the file's folder, one JSON line per file.
import { statSync, type Stats } from "node:fs";
import { basename, dirname, join } from "node:path";
import { appendLine } from "../host/temp.js";
import { readJsonLines, type Warn } from "../host/records.js";

export const DIGEST_NOTES = ".flow-digests.jsonl";

interface Note {
  name: string;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  sha256: string;
}

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Notes the sha256 of a file just written, bound to its stat now. `hashedAs`, the stat of
 * the bytes the digest was computed over (before a rename gave the file its name): if
 * the file's size, mtime or inode differ from it now, something wrote in between and
 * nothing is noted (returns false).
 */
export function noteDigest(path: string, sha256: string, hashedAs?: Stats): boolean {
  if (!SHA256.test(sha256)) throw new Error(`noteDigest: ${sha256} is not a sha256 in hex`);
  const st = statSync(path);
  if (hashedAs && (hashedAs.size !== st.size || hashedAs.mtimeMs !== st.mtimeMs || hashedAs.ino !== st.ino)) return false;
  const note: Note = { name: basename(path), size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, sha256 };
  // after a torn last line (a writer killed mid-append) appendLine starts a line of its own
  appendLine(join(dirname(path), DIGEST_NOTES), JSON.stringify(note));
  return true;
}

/** Reads the notes of each folder once (again if its notes file changed). */
export class DigestNotes {
  private folders = new Map<string, { stamp: string; notes: Map<string, Note> }>();

  constructor(private readonly warn?: Warn) {}

  /** The noted sha256 of the file, if a note matches its stat exactly. */
  lookup(path: string, st: Stats): string | undefined {
    const n = this.folder(dirname(path))?.get(basename(path));
    if (!n || n.size !== st.size || n.mtimeMs !== st.mtimeMs || n.ctimeMs !== st.ctimeMs || n.ino !== st.ino) return undefined;
    return n.sha256;
  }

  private folder(dir: string): Map<string, Note> | undefined {
    const file = join(dir, DIGEST_NOTES);
    let stamp: string;
    try {
      const st = statSync(file);
      stamp = `${st.size}:${st.mtimeMs}:${st.ino}`;
    } catch {
      this.folders.delete(dir);
      return undefined;
    }
    const known = this.folders.get(dir);
    if (known?.stamp === stamp) return known.notes;
    const notes = new Map<string, Note>();
    // a malformed line is no note (checked against its schema); a later line for the same name wins
    for (const n of readJsonLines<Note>(file, "digest-note", this.warn)) notes.set(n.name, n);
    this.folders.set(dir, { stamp, notes });
    return notes;
  }
}
