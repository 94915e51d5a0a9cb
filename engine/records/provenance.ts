// Provenance: one JSON line per executed node (what `datalad run` gave the original),
// kept with the cache so that every object can be traced to the run that made it. Only
// the head appends (a cluster job reports its record in its result file): appends from
// several hosts are not atomic on NFS.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { appendLine } from "../host/temp.js";
import { listDir, readJsonLines, type Warn } from "../host/records.js";
import type { ParamValue } from "../model/graph-node.js";
import type { Usage } from "../model/usage.js";

export interface ProvenanceRecord extends Usage {
  node: string;
  task: string;
  vars: Record<string, string>;
  key: string;
  code: { version: string; files: string[] };
  params: Record<string, ParamValue>;
  /** the output of its environment probes */
  environment?: Record<string, string>;
  inputs: { name: string; path: string; hash: string }[];
  outputs: { name: string; path: string; hash: string }[];
  start: string;
  end: string;
  host: string;
  pid: number;
  status: "ok" | "failed";
  error?: string;
  /** the run it was part of (`flow log --runs`) */
  run?: string;
  /** which attempt this was (resources.retries), from 1 */
  attempt?: number;
  flowVersion: string;
}

export class Provenance {
  constructor(
    readonly dir: string,
    private readonly warn?: Warn,
  ) {}

  append(r: ProvenanceRecord) {
    mkdirSync(this.dir, { recursive: true });
    appendLine(join(this.dir, `${r.start.slice(0, 7)}.jsonl`), JSON.stringify(r));
  }

  all(): ProvenanceRecord[] {
    const files = listDir(this.dir)
      .filter((f) => f.endsWith(".jsonl"))
      .sort();
    const out: ProvenanceRecord[] = [];
    for (const f of files) for (const r of readJsonLines<ProvenanceRecord>(join(this.dir, f), "provenance", this.warn)) out.push(r);
    return out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  }
}
