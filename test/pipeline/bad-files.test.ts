// Bad NWB files give one clear error naming the file — never an h5wasm trace.
import { describe, it, expect, inject } from "vitest";
import { join } from "node:path";
import { readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { tempDir, writeNwbWithoutUnits } from "../rig.js";
import { Nwb } from "../../tasks/formats/nwb/open.js";
import { h5, withFrozenClock } from "../../tasks/formats/h5.js";

const source = () => join(inject("exampleCache"), "session_719161530", "session_719161530.nwb");

async function openError(path: string): Promise<string> {
  try {
    (await Nwb.open(path)).close();
  } catch (e) {
    expect((e as Error).name).toBe("TaskError");
    return (e as Error).message;
  }
  throw new Error("opened a bad file");
}

describe("bad NWB files", () => {
  it("a missing file", async () => {
    const p = join(tempDir(), "session_1.nwb");
    expect(await openError(p)).toBe(`${p}: no such file`);
  });
  it("a truncated download", async () => {
    const p = join(tempDir(), "session_1.nwb");
    const full = readFileSync(source());
    writeFileSync(p, full.subarray(0, Math.floor(full.length / 3)));
    expect(await openError(p)).toBe(`${p}: truncated HDF5 file (${Math.floor(full.length / 3)} of ${full.length} bytes) — re-download it`);
  });
  it("a text file named .nwb", async () => {
    const p = join(tempDir(), "session_1.nwb");
    writeFileSync(p, "404 Not Found\n");
    expect(await openError(p)).toMatch(new RegExp(`^${p.replace(/[.]/g, "\\.")}: not an HDF5 file`));
  });
  it("an HDF5 file that is not NWB", async () => {
    const p = join(tempDir(), "session_1.nwb");
    const lib = await h5();
    withFrozenClock(() => {
      const f = new lib.File(p, "w");
      f.create_group("units");
      f.close();
    });
    expect(await openError(p)).toBe(`${p}: not an NWB file (root neurodata_type is missing)`);
  });
  it("an NWB file without /units", async () => {
    const p = join(tempDir(), "session_1.nwb");
    await writeNwbWithoutUnits(p);
    expect(await openError(p)).toBe(`${p}: not an Allen NWB session file: missing /units`);
  });
  it("a good copy opens", async () => {
    const p = join(tempDir(), "session_1.nwb");
    copyFileSync(source(), p);
    (await Nwb.open(p)).close();
  });
});
