// What a bin worker keeps between the nodes of one session — the kept-presentations table
// (tasks/formats/json.ts, readJsonKept) and which spike arrays it already found sorted
// (tasks/steps/bin.ts) — must never stand in for a file that was replaced at the same
// path: the replaced table is read again, and unsorted spike times in a replaced NWB are
// still refused, by the same task module in the same process.
import { describe, it, expect, inject } from "vitest";
import { copyFileSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { readJsonKept } from "../../tasks/formats/json.js";
import bin from "../../tasks/steps/bin.js";
import { buildSession } from "../../tasks/synth/session.js";
import { writeSessionNwb } from "../../tasks/synth/write-nwb.js";
import { cacheSpecs } from "../../tasks/synth/cache.js";
import { REPO, tempDir } from "../rig.js";

describe("what a bin worker keeps between nodes", () => {
  it("a table replaced at the same path is read again; the same file is not", () => {
    const path = join(tempDir(), "t.json");
    writeFileSync(path, JSON.stringify({ rows: [1, 2, 3] }));
    const first = readJsonKept<{ rows: number[] }>(path);
    expect(first.rows).toEqual([1, 2, 3]);
    expect(readJsonKept<{ rows: number[] }>(path)).toBe(first); // kept: the same object
    writeFileSync(path, JSON.stringify({ rows: [4, 5, 6, 7] }));
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    expect(readJsonKept<{ rows: number[] }>(path).rows).toEqual([4, 5, 6, 7]);
    expect(() => readJsonKept(join(tempDir(), "absent.json"))).toThrow(/absent\.json: cannot read/);
  });

  it("unsorted spike times in an NWB replaced at the path a good one was binned from are refused", async () => {
    const spec = cacheSpecs("example")[0]!;
    const sessionDir = join(inject("exampleWorkspace"), "data/01_sessions", `session_${spec.id}`);
    const dir = tempDir();
    const nwb = join(dir, "session.nwb");
    copyFileSync(join(inject("exampleCache"), `session_${spec.id}`, `session_${spec.id}.nwb`), nwb);
    const stimuli = parse(readFileSync(join(REPO, "pipeline.yaml"), "utf8")).params.stimuli.default;
    const run = (stimulus: string) =>
      bin.run({
        node: `bin[${stimulus}]`,
        key: "k",
        root: dir,
        flowVersion: "test",
        log: () => {},
        params: { session: spec.id, stimulus, bin_width: 0.02, spec: stimuli[stimulus] },
        inputs: { nwb, units: join(sessionDir, "units.json"), presentations: join(sessionDir, "presentations_filtered.json") },
        outputs: { cube: join(dir, `${stimulus}.cube`) },
      });
    await run("flashes");
    expect(readFileSync(join(dir, "flashes.cube"))).toEqual(readFileSync(join(sessionDir, "flashes.cube")));

    const m = buildSession(spec);
    const u = m.units.find((x) => !x.expectDrop && x.spikes.length > 10)!;
    [u.spikes[5], u.spikes[6]] = [u.spikes[6]!, u.spikes[5]!];
    await writeSessionNwb(nwb, m);
    utimesSync(nwb, new Date(), new Date(Date.now() + 5000));
    await expect(run("gabors")).rejects.toThrow(new RegExp(`session\\.nwb: spike times of unit ${u.id} are not sorted`));
  });
});
