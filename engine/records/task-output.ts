// What a task printed (stdout, stderr, its ctx.log lines), kept with the cache beside the
// provenance records — so a cluster job's output is there too — one file per key, its
// tail only (exec/output-tail.ts bounds it where the task runs).
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../host/temp.js";

const fileOf = (cacheDir: string, key: string) => join(cacheDir, "logs", key.slice(0, 2), `${key}.log`);

/** Keeps what a task printed; a task that printed nothing leaves no file (one write less per trivial node). */
export function writeTaskOutput(cacheDir: string, key: string, text: string) {
  if (text === "")
    rmSync(fileOf(cacheDir, key), { force: true }); // not an earlier attempt's output
  else writeFileAtomic(fileOf(cacheDir, key), text);
}

export function readTaskOutput(cacheDir: string, key: string): string | undefined {
  try {
    return readFileSync(fileOf(cacheDir, key), "utf8");
  } catch {
    return undefined;
  }
}

/** The folder of kept task output (gc bounds it). */
export const taskOutputDir = (cacheDir: string) => join(cacheDir, "logs");
