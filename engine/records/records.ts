// Provenance: one JSON line per executed node (what `datalad run` gave the original),
// kept with the cache so that every object can be traced to the run that made it.
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { appendLine } from "../store/atomic.js";
import { join } from "node:path";
import type { ParamValue } from "../pipeline/types.js";

export interface ProvenanceRecord {
  node: string;
  task: string;
  vars: Record<string, string>;
  key: string;
  code: { version: string; files: string[] };
  params: Record<string, ParamValue>;
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
  /** peak RSS during this node (MB), CPU time, bytes through read/write calls, and where it ran */
  maxRssMb?: number;
  cpuMs?: number;
  readBytes?: number;
  writeBytes?: number;
  lane?: string;
  flowVersion: string;
}

export class Records {
  constructor(readonly dir: string) {}

  append(r: ProvenanceRecord) {
    mkdirSync(this.dir, { recursive: true });
    const month = r.start.slice(0, 7);
    appendLine(join(this.dir, `${month}.jsonl`), JSON.stringify(r));
  }

  all(): ProvenanceRecord[] {
    let files: string[] = [];
    try {
      files = readdirSync(this.dir)
        .filter((f) => f.endsWith(".jsonl"))
        .sort();
    } catch {
      return [];
    }
    const out: ProvenanceRecord[] = [];
    for (const f of files) {
      for (const line of readFileSync(join(this.dir, f), "utf8").split("\n")) {
        if (!line.trim()) continue;
        try {
          out.push(JSON.parse(line));
        } catch {
          /* a torn last line from a crash */
        }
      }
    }
    return out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  }
}
