// bin's workers keep the last session's spike times, running speed and gaze for the
// session's next bin node (tasks/formats/nwb/read-units.ts, behaviour.ts), known by the
// content hash the engine computed for the file. What that must never do: hand back one
// content's arrays for another — also when the file at the path was rewritten in place
// keeping its size, mtime and inode (rsync --inplace -t), which fooled a memo keyed on
// the file's stat.
import { describe, it, expect, inject } from "vitest";
import { copyFileSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { Nwb } from "../../tasks/formats/nwb/open.js";
import { readUnits, unitSpikes } from "../../tasks/formats/nwb/read-units.js";
import { sessionSignals } from "../../tasks/formats/nwb/behaviour.js";
import { buildSession } from "../../tasks/synth/session.js";
import { cacheSpecs } from "../../tasks/synth/cache.js";
import { tempDir } from "../rig.js";

const [a, b] = cacheSpecs("example") as [ReturnType<typeof cacheSpecs>[0], ReturnType<typeof cacheSpecs>[0]];
const nwbOf = (id: number) => join(inject("exampleCache"), `session_${id}`, `session_${id}.nwb`);
const sha = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");

/** unit id → the spike times the generator planted */
const planted = (spec: typeof a) => new Map(buildSession(spec).units.map((u) => [u.id, Array.from(u.spikes)]));

async function spikesAt(path: string, identity: string, first?: number) {
  const nwb = await Nwb.open(path, identity);
  try {
    const units = readUnits(nwb).filter((u) => u.kept);
    const rows = (first === undefined ? units : units.slice(0, first)).map((u) => u.row);
    const got = unitSpikes(nwb, rows);
    return new Map(units.filter((u) => rows.includes(u.row)).map((u) => [u.unit_id, Array.from(got.get(u.row)!)]));
  } finally {
    nwb.close();
  }
}

/** Writes `bytes` into the file at `path` in place (same inode), and puts its mtime back: what rsync --inplace -t does. */
function rewriteInPlace(path: string, bytes: Buffer) {
  const st = statSync(path);
  writeFileSync(path, bytes); // O_TRUNC: the same inode
  utimesSync(path, 1_700_000_000, 1_700_000_000); // (a whole second: what `touch -r` restores exactly)
  const now = statSync(path);
  expect([now.size, now.mtimeMs, now.ino]).toEqual([st.size, st.mtimeMs, st.ino]);
}

describe("the spike times a bin worker keeps", () => {
  it("are the content's own: more units of the same content are added; other content is read again", async () => {
    const dir = tempDir();
    const path = join(dir, "session.nwb");
    copyFileSync(nwbOf(a.id), path);
    const wantA = planted(a);
    const some = await spikesAt(path, sha(path), 3);
    expect(some.size).toBe(3);
    for (const [id, s] of some) expect(s).toEqual(wantA.get(id));
    const all = await spikesAt(path, sha(path)); // more units of the same file
    for (const [id, s] of all) expect(s).toEqual(wantA.get(id));

    copyFileSync(nwbOf(b.id), path); // another session's bytes at the same path
    const wantB = planted(b);
    const other = await spikesAt(path, sha(path));
    expect(other.size).toBeGreaterThan(0);
    for (const [id, s] of other) expect(s).toEqual(wantB.get(id));
  });

  it("a file rewritten in place with its size, mtime and inode kept is read again", async () => {
    const dir = tempDir();
    const path = join(dir, "session.nwb");
    copyFileSync(nwbOf(a.id), path);
    utimesSync(path, 1_700_000_000, 1_700_000_000);
    const before = await spikesAt(path, sha(path));
    // the same file with one spike time changed: same size
    const bytes = readFileSync(path);
    const [id, times] = [...before].find(([, s]) => s.length > 3)!;
    const at = bytes.indexOf(Buffer.from(new Float64Array([times[1]!]).buffer));
    expect(at).toBeGreaterThan(0);
    bytes.writeDoubleLE(times[1]! + 1e-3, at);
    rewriteInPlace(path, bytes);
    const after = await spikesAt(path, sha(path));
    expect(after.get(id)![1]).toBeCloseTo(times[1]! + 1e-3, 9);
  });

  it("so are the running speed and gaze kept for the session's next node", async () => {
    const dir = tempDir();
    const path = join(dir, "session.nwb");
    const signals = async () => {
      const nwb = await Nwb.open(path, sha(path));
      try {
        const { running, gaze } = sessionSignals(nwb);
        return { velocity: Array.from(running.values), eyeArea: gaze && Array.from(gaze.columns.raw_eye_area!) };
      } finally {
        nwb.close();
      }
    };
    copyFileSync(nwbOf(a.id), path);
    const sa = buildSession(a);
    const first = await signals();
    expect(first.velocity).toEqual(Array.from(sa.running.velocity));
    expect(first.eyeArea).toEqual(sa.eye && Array.from(sa.eye.raw.eyeArea));
    expect(await signals()).toEqual(first);

    copyFileSync(nwbOf(b.id), path);
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    const sb = buildSession(b);
    const second = await signals();
    expect(second.velocity).toEqual(Array.from(sb.running.velocity));
    expect(second.velocity).not.toEqual(first.velocity);
    expect(second.eyeArea).toEqual(sb.eye && Array.from(sb.eye.raw.eyeArea));
  });
});
