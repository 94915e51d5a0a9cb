// bin's workers keep the last session's spike times for the session's next bin node
// (tasks/formats/nwb/read-units.ts, unitSpikes). What that must never do: hand back one
// file's spikes for another. A file replaced at the same path (other bytes, size, mtime)
// is read again; the same file asked for more units reads only those.
import { describe, it, expect, inject } from "vitest";
import { copyFileSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { Nwb } from "../../tasks/formats/nwb/open.js";
import { readUnits, unitSpikes } from "../../tasks/formats/nwb/read-units.js";
import { sessionSignals } from "../../tasks/formats/nwb/behaviour.js";
import { buildSession } from "../../tasks/synth/session.js";
import { cacheSpecs } from "../../tasks/synth/cache.js";
import { tempDir } from "../rig.js";

const [a, b] = cacheSpecs("example") as [ReturnType<typeof cacheSpecs>[0], ReturnType<typeof cacheSpecs>[0]];
const nwbOf = (id: number) => join(inject("exampleCache"), `session_${id}`, `session_${id}.nwb`);

/** unit id → the spike times the generator planted */
const planted = (spec: typeof a) => new Map(buildSession(spec).units.map((u) => [u.id, Array.from(u.spikes)]));

async function spikesAt(path: string, first?: number) {
  const nwb = await Nwb.open(path);
  try {
    const units = readUnits(nwb).filter((u) => u.kept);
    const rows = (first === undefined ? units : units.slice(0, first)).map((u) => u.row);
    const got = unitSpikes(nwb, rows);
    return new Map(units.filter((u) => rows.includes(u.row)).map((u) => [u.unit_id, Array.from(got.get(u.row)!)]));
  } finally {
    nwb.close();
  }
}

describe("the spike times a bin worker keeps", () => {
  it("are the file's own, also after the file at that path is replaced", async () => {
    const dir = tempDir();
    const path = join(dir, "session.nwb");
    copyFileSync(nwbOf(a.id), path);
    const wantA = planted(a);
    const some = await spikesAt(path, 3);
    expect(some.size).toBe(3);
    for (const [id, s] of some) expect(s).toEqual(wantA.get(id));
    const all = await spikesAt(path); // more units of the same file
    for (const [id, s] of all) expect(s).toEqual(wantA.get(id));

    copyFileSync(nwbOf(b.id), path); // another session's bytes at the same path
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    const wantB = planted(b);
    const other = await spikesAt(path);
    expect(other.size).toBeGreaterThan(0);
    for (const [id, s] of other) expect(s).toEqual(wantB.get(id));
  });

  it("so are the running speed and gaze kept for the session's next node", async () => {
    const dir = tempDir();
    const path = join(dir, "session.nwb");
    const signals = async () => {
      const nwb = await Nwb.open(path);
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
