// What a bin worker keeps between the nodes of one session — the kept-presentations table
// (tasks/formats/json.ts, readJsonKept) and which spike arrays it already found sorted
// (tasks/steps/bin.ts) — is known by the content hash the engine gives the node
// (ctx.inputHashes), never by path or stat: other bytes are read again, also when they
// were written in place keeping the file's size, mtime and inode; unsorted spike times
// are refused by the same task module in the same process.
import { describe, it, expect, inject } from "vitest";
import { copyFileSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { parse } from "yaml";
import { readJsonKept } from "../../tasks/formats/json.js";
import bin from "../../tasks/steps/bin.js";
import { buildSession } from "../../tasks/synth/session.js";
import { writeSessionNwb } from "../../tasks/synth/write-nwb.js";
import { cacheSpecs } from "../../tasks/synth/cache.js";
import { REPO, tempDir } from "../rig.js";

const sha = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");

describe("what a bin worker keeps between nodes", () => {
  it("a table is kept by its content hash: the same hash gives the kept value, other bytes are read again", () => {
    const path = join(tempDir(), "t.json");
    writeFileSync(path, JSON.stringify({ rows: [1, 2, 3] }));
    utimesSync(path, 1_700_000_000, 1_700_000_000);
    const first = readJsonKept<{ rows: number[] }>(path, sha(path));
    expect(first.rows).toEqual([1, 2, 3]);
    expect(readJsonKept<{ rows: number[] }>(path, sha(path))).toBe(first); // kept: the same object
    // other bytes, written in place with size, mtime and inode kept
    const st = statSync(path);
    writeFileSync(path, JSON.stringify({ rows: [4, 5, 6] }));
    utimesSync(path, 1_700_000_000, 1_700_000_000); // (a whole second: what `touch -r` restores exactly)
    expect([statSync(path).size, statSync(path).mtimeMs, statSync(path).ino]).toEqual([st.size, st.mtimeMs, st.ino]);
    expect(readJsonKept<{ rows: number[] }>(path, sha(path)).rows).toEqual([4, 5, 6]);
    // no identity: nothing is kept, the file is read
    expect(readJsonKept<{ rows: number[] }>(path, undefined)).not.toBe(readJsonKept<{ rows: number[] }>(path, undefined));
    expect(() => readJsonKept(join(tempDir(), "absent.json"), "x")).toThrow(/absent\.json: cannot read/);
  });

  it("unsorted spike times written in place over a good NWB (size, mtime and inode kept) are refused", async () => {
    const spec = cacheSpecs("example")[0]!;
    const sessionDir = join(inject("exampleWorkspace"), "data/01_sessions", `session_${spec.id}`);
    const dir = tempDir();
    const nwb = join(dir, "session.nwb");
    copyFileSync(join(inject("exampleCache"), `session_${spec.id}`, `session_${spec.id}.nwb`), nwb);
    utimesSync(nwb, 1_700_000_000, 1_700_000_000);
    const stimuli = parse(readFileSync(join(REPO, "pipeline.yaml"), "utf8")).params.stimuli.default;
    const inputs = { nwb, units: join(sessionDir, "units.json"), presentations: join(sessionDir, "presentations_filtered.json") };
    const run = (stimulus: string) =>
      bin.run({
        node: `bin[${stimulus}]`,
        key: "k",
        root: dir,
        flowVersion: "test",
        log: () => {},
        params: { session: spec.id, stimulus, bin_width: 0.02, spec: stimuli[stimulus] },
        inputs,
        inputHashes: { nwb: sha(nwb), units: sha(inputs.units), presentations: sha(inputs.presentations) },
        outputs: { cube: join(dir, `${stimulus}.cube`) },
      });
    await run("flashes");
    expect(readFileSync(join(dir, "flashes.cube"))).toEqual(readFileSync(join(sessionDir, "flashes.cube")));

    const m = buildSession(spec);
    const u = m.units.find((x) => !x.expectDrop && x.spikes.length > 10)!;
    [u.spikes[5], u.spikes[6]] = [u.spikes[6]!, u.spikes[5]!];
    const st = statSync(nwb);
    await writeSessionNwb(nwb, m); // in place: the same inode, and (the same layout) the same size
    utimesSync(nwb, 1_700_000_000, 1_700_000_000);
    expect([statSync(nwb).size, statSync(nwb).mtimeMs, statSync(nwb).ino]).toEqual([st.size, st.mtimeMs, st.ino]);
    await expect(run("gabors")).rejects.toThrow(new RegExp(`session\\.nwb: spike times of unit ${u.id} are not sorted`));
  });
});
