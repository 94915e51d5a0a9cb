// A task's outputs are written to temp paths in a folder of its own (.flow/tmp/<name>),
// with the same base names (tasks may look at extensions); the cache takes them from
// there. A killed run's folders are swept before the next (workspace/leftovers.ts).
import { join, basename } from "node:path";
import { mkdirSync, rmSync, rmdirSync } from "node:fs";
import { tempName, inFolder } from "../host/temp.js";
import type { GraphNode, OutputPaths } from "../model/graph-node.js";

export interface TempOutputs {
  dir: string;
  paths: OutputPaths;
  /** the folders made, deepest first (removed one by one after a good run) */
  folders: string[];
}

export function tempOutputs(tmpDir: string, n: GraphNode, key: string): TempOutputs {
  // named like tempSibling() so that a sweep can tell a dead run's leftovers
  const dir = join(tmpDir, tempName(key.slice(0, 16)));
  inFolder(tmpDir, () => mkdirSync(dir));
  const paths: OutputPaths = {};
  const made: string[] = [];
  const folder = (...parts: string[]) => {
    const d = join(dir, ...parts);
    mkdirSync(d);
    made.push(d);
    return d;
  };
  for (const [name, o] of Object.entries(n.outputs)) {
    if (o.kind === "file") paths[name] = join(folder(name), basename(o.path));
    else {
      const m: Record<string, string> = {};
      folder(name);
      for (const [member, p] of Object.entries(o.paths)) m[member] = join(folder(name, member), basename(p));
      paths[name] = m;
    }
  }
  return { dir, paths, folders: made.reverse().concat(dir) };
}

/**
 * Removes a job's temp folder. After a good run its folders are empty (the outputs were
 * moved into the store), and removing the known folders one by one is a few syscalls;
 * anything left inside (a failed task's files, private copies of inputs) falls back to a
 * recursive removal.
 */
export function removeTemp(tmp: TempOutputs) {
  try {
    for (const d of tmp.folders) rmdirSync(d);
  } catch {
    rmSync(tmp.dir, { recursive: true, force: true });
  }
}
