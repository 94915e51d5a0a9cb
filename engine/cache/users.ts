// Which workspaces use a cache folder. Every run registers its workspace in the cache
// (cache/users/<hash of its root>.json); `flow gc` treats a cache as private — and removes
// what this workspace does not keep without an age guard — only when no other workspace
// that still exists has registered, and the index is not a server. Anything else may be
// another workspace's results, stored seconds ago.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sha256 } from "../hash/canonical.js";
import { writeFileAtomic } from "../host/temp.js";
import { listDir } from "../host/records.js";

const dirOf = (cacheDir: string) => join(cacheDir, "users");
const fileOf = (cacheDir: string, root: string) => join(dirOf(cacheDir), `${sha256(root).slice(0, 32)}.json`);

/** Records that the workspace at `root` uses this cache (at most once an hour: a run must not write for nothing). */
export function registerUser(cacheDir: string, root: string, now = Date.now()) {
  const f = fileOf(cacheDir, root);
  try {
    const at = JSON.parse(readFileSync(f, "utf8")).at as string;
    if (now - Date.parse(at) < 3600_000) return;
  } catch {
    /* not yet */
  }
  writeFileAtomic(f, JSON.stringify({ root, at: new Date(now).toISOString() }));
}

/** The workspaces (their roots) that registered, and still exist. */
export function cacheUsers(cacheDir: string): string[] {
  const out: string[] = [];
  for (const f of listDir(dirOf(cacheDir))) {
    try {
      const root = JSON.parse(readFileSync(join(dirOf(cacheDir), f), "utf8")).root;
      if (typeof root === "string" && existsSync(join(root, ".flow"))) out.push(root);
    } catch {
      /* not a registration */
    }
  }
  return out.sort();
}
