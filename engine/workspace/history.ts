// What `flow gc` also bounds, beyond the cache's objects: run records (the last
// KEEP_RUN_RECORDS stay), kept task output (what those runs and the workspace's current
// nodes executed stays), and the files of cluster jobs that finished (older than a day).
import { rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { listDir } from "../host/records.js";
import { readRun, runIds } from "../records/runs.js";
import { taskOutputDir } from "../records/task-output.js";
import type { Workspace } from "./workspace.js";

export const KEEP_RUN_RECORDS = 100;
const DAY = 86400_000;

const older = (p: string, ms: number, now: number) => {
  try {
    return now - statSync(p).mtimeMs > ms;
  } catch {
    return false;
  }
};

/** Removes what the rules above do not keep; returns how many files went. */
export function trimHistory(ws: Workspace, cacheDir: string, o: { minAgeMs: number; now?: number }): number {
  const now = o.now ?? Date.now();
  let n = 0;
  const rm = (p: string) => {
    rmSync(p, { force: true });
    n++;
  };
  const ids = runIds(ws.runsDir);
  const kept = ids.slice(-KEEP_RUN_RECORDS);
  for (const id of ids.slice(0, -KEEP_RUN_RECORDS))
    for (const f of [`${id}.jsonl`, `${id}.trace.tsv`]) if (listDir(ws.runsDir).includes(f)) rm(join(ws.runsDir, f));
  const keys = new Set<string>();
  for (const id of kept) for (const node of readRun(ws.runsDir, id)?.nodes ?? []) if (node.key) keys.add(node.key);
  for (const r of ws.state.all().values()) keys.add(r.key);
  const logs = taskOutputDir(cacheDir);
  const age = Math.max(o.minAgeMs, DAY);
  for (const shard of listDir(logs))
    for (const f of listDir(join(logs, shard))) {
      const key = f.replace(/\.log$/, "");
      if (!keys.has(key) && older(join(logs, shard, f), age, now)) rm(join(logs, shard, f));
    }
  for (const f of listDir(ws.slurmDir)) if (older(join(ws.slurmDir, f), DAY, now)) rm(join(ws.slurmDir, f));
  return n;
}
