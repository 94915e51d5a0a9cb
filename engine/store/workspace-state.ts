// What this workspace last materialised for each node, and which nodes the user
// invalidated. Status diffs the current plan against it to say *why* a node is stale.
//
// One append-only file, `.flow/state.jsonl`: a line per recorded node, the last line of a
// node wins. A no-op over 20 000 nodes reads one file, not 20 000; a run appends one line
// per node it touched. Only the lock holder writes (run), so lines never interleave; a
// line torn by a crash is closed before the next append and ignored on reading. When
// dead lines outnumber live ones, `compact()` (called by run, under the lock) rewrites
// the file by temp + rename.
import { readFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic, appendLine } from "./atomic.js";
import type { OutputHashes } from "./index.js";
import type { ParamValue } from "../pipeline/types.js";

export interface NodeState {
  id: string;
  key: string;
  code: string;
  params: Record<string, ParamValue>;
  /** input name → hash (or hashes, for a list), as used in the key */
  inputs: Record<string, string | string[]>;
  /** input name → path(s), to name the changed file in a reason */
  inputPaths: Record<string, string | string[]>;
  outputs: OutputHashes;
  at: string;
}

/** A code version's files and their hashes, written once per version (to name what changed). */
interface CodeLine {
  code: string;
  files: Record<string, string>;
}
type Line = NodeState | { id: string; forgotten: true } | CodeLine;

export class WorkspaceState {
  private readonly file: string;
  private readonly invalidFile: string;
  private cache?: Map<string, NodeState>;
  private codes = new Map<string, Record<string, string>>();
  private lines = 0;

  constructor(readonly dir: string) {
    this.file = join(dir, "state.jsonl");
    this.invalidFile = join(dir, "invalidated.json");
  }

  all(): Map<string, NodeState> {
    if (this.cache) return this.cache;
    const m = new Map<string, NodeState>();
    let text = "";
    try {
      text = readFileSync(this.file, "utf8");
    } catch {
      /* none yet */
    }
    for (const line of text.split("\n")) {
      if (!line) continue;
      this.lines++;
      let v: Line;
      try {
        v = JSON.parse(line) as Line;
      } catch {
        continue;
      } // torn by a crash: as if never recorded
      if ("forgotten" in v) m.delete(v.id);
      else if (!("id" in v)) this.codes.set(v.code, v.files);
      else m.set(v.id, v);
    }
    this.cache = m;
    return m;
  }

  get(id: string) {
    return this.all().get(id);
  }

  put(s: NodeState) {
    this.append(s);
    this.all().set(s.id, s);
  }

  /** Records a code version's file hashes, once. */
  putCode(version: string, files: Record<string, string>) {
    this.all();
    if (this.codes.has(version)) return;
    this.append({ code: version, files });
    this.codes.set(version, files);
  }

  codeFiles(version: string): Record<string, string> | undefined {
    this.all();
    return this.codes.get(version);
  }

  forget(id: string) {
    this.append({ id, forgotten: true });
    this.all().delete(id);
  }

  private append(v: Line) {
    this.all();
    mkdirSync(this.dir, { recursive: true });
    appendLine(this.file, JSON.stringify(v));
    this.lines++;
  }

  /** Rewrites the file with live lines only, once dead ones dominate. Lock holder only. */
  compact() {
    const live = this.all();
    if (this.lines <= 2 * live.size + 1000) return;
    const used = new Set([...live.values()].map((s) => s.code));
    const codes = [...this.codes].filter(([v]) => used.has(v)).map(([code, files]) => JSON.stringify({ code, files }) + "\n");
    this.codes = new Map([...this.codes].filter(([v]) => used.has(v)));
    writeFileAtomic(this.file, codes.join("") + [...live.values()].map((s) => JSON.stringify(s) + "\n").join(""));
    this.lines = live.size + codes.length;
  }

  invalidated(): Set<string> {
    try {
      return new Set(JSON.parse(readFileSync(this.invalidFile, "utf8")));
    } catch {
      return new Set();
    }
  }

  setInvalidated(ids: Set<string>) {
    writeFileAtomic(this.invalidFile, JSON.stringify([...ids].sort()));
  }
}
