// What this workspace last materialised for each node, and which nodes the user
// invalidated. Status diffs the current plan against it to say *why* a node is stale.
//
// One append-only file, `.flow/state.jsonl`: a line per recorded node (the last line of a
// node wins), a line per code version (its files' hashes and packages, to name what
// changed), a line per invalidation. An invalidation holds until a later line records the
// node again — so a node that finished is up to date afterwards, whatever stopped the
// run. A no-op over 20 000 nodes reads one file, not 20 000; a run appends one line per
// node it touched. Only the lock holder writes, so lines never interleave; a line torn
// by a crash is dropped, and a line of the wrong shape skipped with a warning
// (engine/host/records.ts). When dead lines outnumber live ones, `compact()` rewrites the
// file by temp + rename.
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic, appendLine } from "../host/temp.js";
import { readJsonLines, type Warn } from "../host/records.js";
import type { InputHashes, OutputHashes, ParamValue, PathsOf } from "../model/graph-node.js";

export interface NodeRecord {
  type?: "node";
  id: string;
  key: string;
  /** the code version it ran with */
  code: string;
  params: Record<string, ParamValue>;
  /** the params that chose its set members (GraphNode.shape) */
  shape?: Record<string, ParamValue>;
  /** its environment probes' output */
  environment?: Record<string, string>;
  /** input name → hash (or hashes, for a list), as used in the key */
  inputs: InputHashes;
  /** input name → path(s), to name the changed file in a reason */
  inputPaths: PathsOf;
  outputs: OutputHashes;
  /** every output path (absolute): what flow may remove once no node makes it */
  outputPaths?: string[];
  at: string;
}

/** A code version's files and their hashes, and its packages, written once per version (to name what changed). */
export interface CodeRecord {
  files: Record<string, string>;
  packages?: Record<string, string>;
}

type Line =
  | NodeRecord
  | { type: "code"; code: string; files: Record<string, string>; packages?: Record<string, string> }
  | { type?: "forget"; id: string; forgotten?: true }
  | { type: "invalidated"; id: string };

export class WorkspaceState {
  private readonly file: string;
  /** invalidations an earlier flow kept in a file of their own */
  private readonly legacyInvalid: string;
  private records?: Map<string, NodeRecord>;
  private invalid = new Set<string>();
  private codes = new Map<string, CodeRecord>();
  private lines = 0;

  constructor(
    readonly dir: string,
    private readonly warn?: Warn,
  ) {
    this.file = join(dir, "state.jsonl");
    this.legacyInvalid = join(dir, "invalidated.json");
  }

  all(): Map<string, NodeRecord> {
    if (this.records) return this.records;
    const m = new Map<string, NodeRecord>();
    for (const v of readJsonLines<Line>(this.file, "state", this.warn)) {
      this.lines++;
      if (v.type === "invalidated") this.invalid.add(v.id);
      else if (v.type === "forget" || ("forgotten" in v && v.forgotten)) {
        m.delete(v.id);
        this.invalid.delete(v.id);
      } else if (v.type === "code" || !("id" in v)) {
        const c = v as { code: string; files: Record<string, string>; packages?: Record<string, string> };
        this.codes.set(c.code, { files: c.files, packages: c.packages });
      } else {
        m.set(v.id, v as NodeRecord);
        this.invalid.delete(v.id);
      }
    }
    try {
      for (const id of JSON.parse(readFileSync(this.legacyInvalid, "utf8")) as string[]) this.invalid.add(id);
    } catch {
      /* none */
    }
    this.records = m;
    return m;
  }

  get(id: string) {
    return this.all().get(id);
  }

  /** Records what a node now holds; clears its invalidation. */
  put(s: NodeRecord) {
    this.append({ type: "node", ...s });
    this.all().set(s.id, s);
    this.invalid.delete(s.id);
  }

  /** Records a code version's file hashes and packages, once. */
  putCode(version: string, files: Record<string, string>, packages: Record<string, string>) {
    this.all();
    if (this.codes.has(version)) return;
    this.append({ type: "code", code: version, files, packages });
    this.codes.set(version, { files, packages });
  }

  code(version: string): CodeRecord | undefined {
    this.all();
    return this.codes.get(version);
  }

  forget(id: string) {
    this.append({ type: "forget", id });
    this.all().delete(id);
    this.invalid.delete(id);
  }

  /** The nodes marked stale by `flow invalidate` that have not been recorded since. */
  invalidated(): ReadonlySet<string> {
    this.all();
    return this.invalid;
  }

  invalidate(ids: Iterable<string>) {
    this.all();
    for (const id of ids) {
      if (this.invalid.has(id)) continue;
      this.append({ type: "invalidated", id });
      this.invalid.add(id);
    }
    this.dropLegacy();
  }

  private append(v: Line) {
    this.all();
    mkdirSync(this.dir, { recursive: true });
    appendLine(this.file, JSON.stringify(v));
    this.lines++;
  }

  /** An earlier flow's invalidated.json becomes lines of the log (lock holder only). */
  private dropLegacy() {
    if (!existsSync(this.legacyInvalid)) return;
    for (const id of this.invalid) appendLine(this.file, JSON.stringify({ type: "invalidated", id }));
    rmSync(this.legacyInvalid, { force: true });
  }

  /** Rewrites the file with live lines only, once dead ones dominate. Lock holder only. */
  compact() {
    const live = this.all();
    this.dropLegacy();
    if (this.lines <= 2 * (live.size + this.invalid.size) + 1000) return;
    const used = new Set([...live.values()].map((s) => s.code));
    const codes = [...this.codes]
      .filter(([v]) => used.has(v))
      .map(([code, c]) => JSON.stringify({ type: "code", code, files: c.files, packages: c.packages }) + "\n");
    this.codes = new Map([...this.codes].filter(([v]) => used.has(v)));
    const invalid = [...this.invalid].map((id) => JSON.stringify({ type: "invalidated", id }) + "\n");
    writeFileAtomic(
      this.file,
      codes.join("") + [...live.values()].map((s) => JSON.stringify({ type: "node", ...s }) + "\n").join("") + invalid.join(""),
    );
    this.lines = live.size + codes.length + invalid.length;
  }
}
