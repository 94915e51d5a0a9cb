// What this workspace last materialised for each node, and which nodes the user
// invalidated. Status diffs the current plan against it to say *why* a node is stale.
// One small file per node: a run writes only the nodes it touched, atomically.
import { readFileSync, readdirSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { writeFileAtomic } from "./atomic.js";
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

export class WorkspaceState {
  private readonly nodesDir: string;
  private readonly invalidFile: string;
  private cache?: Map<string, NodeState>;

  constructor(readonly dir: string) {
    this.nodesDir = join(dir, "state");
    this.invalidFile = join(dir, "invalidated.json");
  }

  private fileOf(id: string) {
    return join(this.nodesDir, `${createHash("sha256").update(id).digest("hex").slice(0, 40)}.json`);
  }

  all(): Map<string, NodeState> {
    if (this.cache) return this.cache;
    const m = new Map<string, NodeState>();
    let files: string[] = [];
    try { files = readdirSync(this.nodesDir); } catch { /* none yet */ }
    for (const f of files) {
      if (!f.endsWith(".json")) continue;
      try {
        const s = JSON.parse(readFileSync(join(this.nodesDir, f), "utf8")) as NodeState;
        m.set(s.id, s);
      } catch {
        // torn file from a crash: as if never recorded
      }
    }
    this.cache = m;
    return m;
  }

  get(id: string) {
    return this.all().get(id);
  }

  put(s: NodeState) {
    writeFileAtomic(this.fileOf(s.id), JSON.stringify(s));
    this.all().set(s.id, s);
  }

  forget(id: string) {
    try { unlinkSync(this.fileOf(id)); } catch { /* none */ }
    this.all().delete(id);
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
