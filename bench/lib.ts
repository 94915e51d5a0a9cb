// Shared helpers for the benchmarks: workspaces, the CLI as a real process, records.
import { mkdirSync, rmSync, readFileSync, existsSync, readdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import type { ProvenanceRecord } from "../engine/records/provenance.js";
import { DIGEST_NOTES, noteDigest } from "../engine/hash/digest-notes.js";
import { hashFile } from "../engine/hash/sha256.js";
import { linkPipeline } from "../test/rig.js";
import h5wasm from "h5wasm/node";

export const REPO = fileURLToPath(new URL("..", import.meta.url));
export const WORK = join(REPO, "bench", ".work");

/** A fresh workspace running this repo's pipeline.yaml. */
export function workspace(name: string): string {
  const dir = join(WORK, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return linkPipeline(dir);
}

export async function flow(cwd: string, ...args: string[]) {
  const t0 = performance.now();
  const r = await execa(process.execPath, [join(REPO, "bin/flow.js"), ...args], { cwd, reject: false });
  const ms = performance.now() - t0;
  if (r.exitCode !== 0) throw new Error(`flow ${args.join(" ")} failed (${r.exitCode}):\n${r.stderr}`);
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

export function records(ws: string): ProvenanceRecord[] {
  const dir = join(ws, "cache", "records");
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) =>
    readFileSync(join(dir, f), "utf8")
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l)),
  );
}

export async function ensureCache(name: string, scale: "full" | "many" | "dataset", sessions = 58): Promise<string> {
  const dir = join(WORK, name);
  if (existsSync(join(dir, "manifest.json"))) return dir;
  const t = performance.now();
  await flow(REPO, "synth", dir, "--scale", scale, ...(scale === "full" ? [] : ["--sessions", String(sessions)]));
  console.log(`(generated ${name} in ${((performance.now() - t) / 1000).toFixed(1)} s; kept in bench/.work for next time)`);
  return dir;
}

export function table(rows: [string, string, string?][]) {
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v, target] of rows) console.log(`  ${k.padEnd(w)}  ${v}${target ? `   (target ${target})` : ""}`);
}

export const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** sha256 of every file under dir, by relative path. */
export function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** Read every spike time of one session once, then write as many uint8 bytes as its tensors hold. */
export async function ioFloor(nwb: string, uint8: number): Promise<number> {
  await h5wasm.ready;
  const t0 = performance.now();
  const f = new h5wasm.File(nwb, "r");
  const ds = f.get("units/spike_times") as unknown as { shape: number[]; slice(r: number[][]): Float64Array };
  const n = ds.shape[0]!;
  for (let a = 0; a < n; a += 8_000_000) ds.slice([[a, Math.min(n, a + 8_000_000)]]);
  f.close();
  const tmp = join(WORK, "io-floor.bin");
  const block = new Uint8Array(64 << 20);
  for (let w = 0; w < uint8; w += block.length) writeFileSync(tmp, block.subarray(0, Math.min(block.length, uint8 - w)), { flag: w ? "a" : "w" });
  rmSync(tmp);
  return performance.now() - t0;
}

/** Bytes of the uint8 spike tensors in the stimulus files of a workspace. */
export async function tensorBytes(ws: string): Promise<number> {
  await h5wasm.ready;
  let uint8 = 0;
  const dir = join(ws, "data", "02_stimulus_types");
  for (const f of readdirSync(dir)) {
    const h = new h5wasm.File(join(dir, f), "r");
    for (const sess of h.keys())
      for (const st of (h.get(sess) as unknown as { keys(): string[] }).keys()) {
        const shape = (h.get(`${sess}/${st}/spike_data/spike_data`) as unknown as { shape: number[] }).shape;
        uint8 += shape.reduce((a, b) => a * b, 1);
      }
    h.close();
  }
  return uint8;
}

/**
 * The session files' digest notes (engine/hash/digest-notes.ts) as `flow fetch` leaves
 * them — on, so a run takes the digests it noted — or moved aside, as for a cache that
 * AllenSDK or a copy filled, whose 1–3 GB files a first run must read and hash.
 */
export function digestNotes(cache: string, sessions: number[], on: boolean) {
  for (const id of sessions) {
    const dir = join(cache, `session_${id}`);
    const notes = join(dir, DIGEST_NOTES),
      off = `${notes}.off`;
    if (on) {
      if (existsSync(off)) renameSync(off, notes);
      if (!existsSync(notes)) {
        const nwb = join(dir, `session_${id}.nwb`);
        noteDigest(nwb, hashFile(nwb)); // what fetch computes as the bytes stream in
      }
    } else if (existsSync(notes)) renameSync(notes, off);
  }
}
