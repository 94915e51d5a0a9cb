// Moving results between a job's temp folder, the object store and the workspace: the
// cache side of executing (store) and of restoring; the scheduler only calls these.
import { join, basename, dirname } from "node:path";
import { sweepTemps, tempName, inFolder } from "./atomic.js";
import { rmSync, rmdirSync, mkdirSync, lstatSync, readlinkSync } from "node:fs";
import { hashFile } from "../hash/file-hash.js";
import { inputPaths, allOutputPaths, type PlanNode } from "../pipeline/types.js";
import type { OutputHashes } from "./index.js";
import type { Workspace } from "../workspace.js";

/** Temp output paths for a job: same base names (tasks may look at extensions). */
export function tempOutputs(ws: Workspace, n: PlanNode, key: string) {
  // named like tempSibling() so that a sweep can tell a dead run's leftovers
  const dir = join(ws.tmpDir, tempName(key.slice(0, 16)));
  inFolder(ws.tmpDir, () => mkdirSync(dir));
  const paths: Record<string, string | Record<string, string>> = {};
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
 * anything left inside (a failed task's files) falls back to a recursive removal.
 */
export function removeTemp(tmp: { dir: string; folders: string[] }) {
  try {
    for (const d of tmp.folders) rmdirSync(d);
  } catch {
    rmSync(tmp.dir, { recursive: true, force: true });
  }
}

/**
 * Hashes a finished job's outputs and moves them into the object store. An output must
 * be a regular file: a symbolic link is never followed (it could point anywhere, and
 * storing would chmod its target), so it fails the node.
 */
export function storeOutputs(ws: Workspace, temp: Record<string, string | Record<string, string>>): OutputHashes | string {
  const hashes: OutputHashes = {};
  const problems: string[] = [];
  const each = (p: string) => {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      problems.push(`task did not write its output ${basename(p)}`);
      return "";
    }
    if (!st.isFile()) {
      problems.push(
        `output ${basename(p)} is ${st.isSymbolicLink() ? `a symbolic link (to ${readlinkSync(p)})` : "not a regular file"}; outputs must be regular files`,
      );
      return "";
    }
    const h = hashFile(p);
    ws.objects.put(p, h);
    return h;
  };
  for (const [name, t] of Object.entries(temp)) {
    hashes[name] = typeof t === "string" ? each(t) : Object.fromEntries(Object.entries(t).map(([m, p]) => [m, each(p)]));
  }
  return problems.length ? problems.join("; ") : hashes;
}

/**
 * After a task ran, before anything is stored: the inputs it read must still be those
 * its key was computed from (Bazel's "file modified during build"). A stat that is
 * unchanged is trusted; a changed one is re-hashed. Returns the paths that changed.
 */
export function changedInputs(ws: Workspace, n: PlanNode, keyed: Record<string, string | string[]>): string[] {
  const changed: string[] = [];
  for (const [name, i] of Object.entries(n.inputs)) {
    const want = keyed[name];
    inputPaths(i).forEach((p, k) => {
      const h = Array.isArray(want) ? want[k] : want;
      if (ws.stat.hash(p) !== h) changed.push(p);
    });
  }
  return changed;
}

const WRITE_ERRORS: Record<string, string> = {
  ENOSPC: "disk full",
  ENOTDIR: "a parent is not a directory",
  EACCES: "not writable",
  EROFS: "not writable",
};

/** Puts a node's outputs from the store into the workspace: verified copies, or links (Workspace.linkMode). */
export function restoreOutputs(ws: Workspace, n: PlanNode, hashes: OutputHashes): { ok: true } | { ok: false; corrupt: string[] } {
  const corrupt: string[] = [];
  const pairs: [string, string][] = [];
  for (const [name, o] of Object.entries(n.outputs)) {
    const h = hashes[name];
    if (o.kind === "file" && typeof h === "string") pairs.push([o.path, h]);
    else if (o.kind === "map" && h && typeof h === "object") for (const [m, p] of Object.entries(o.paths)) pairs.push([p, h[m] ?? ""]);
    else corrupt.push(name);
  }
  for (const [p, h] of pairs) {
    // Already holding the right bytes (per the stat cache): leave the file alone.
    if (ws.stat.peek(p) === h) continue;
    let ok: boolean;
    try {
      ok = ws.objects.restore(h, p, ws.linkMode);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? "";
      throw new Error(`cannot write ${p}: ${code}${WRITE_ERRORS[code] ? ` (${WRITE_ERRORS[code]})` : ""}`);
    }
    if (ok) ws.stat.remember(p, h);
    else corrupt.push(p);
  }
  return corrupt.length ? { ok: false, corrupt } : { ok: true };
}

/**
 * Before a run (with the lock held): remove job folders and half-copied outputs that a
 * killed run left behind, so they can never be mistaken for results.
 */
export function sweepLeftovers(ws: Workspace, nodes: PlanNode[]) {
  sweepTemps(ws.tmpDir);
  ws.objects.sweepStrays();
  const dirs = new Set<string>();
  for (const n of nodes) for (const p of allOutputPaths(n)) dirs.add(dirname(p));
  for (const d of dirs) sweepTemps(d);
}
