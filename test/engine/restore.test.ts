import { describe, it, expect } from "vitest";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { toyWorkspace, runJson, statusJson, read } from "../rig.js";

describe("restore from the cache", () => {
  it("a deleted output is restored, not recomputed", async () => {
    const ws = toyWorkspace();
    await runJson(ws);
    rmSync(join(ws, "out/a.up"));
    const st = await statusJson(ws);
    const a = st.find((n) => n.id === "upper[name=a]")!;
    expect(a.state).toBe("restorable");
    expect(a.reasons).toEqual(["output missing: out/a.up"]);
    const r = await runJson(ws);
    expect(r.summary.restored).toEqual(["upper[name=a]"]);
    expect(r.summary.ran).toEqual([]);
    expect(read(ws, "out/a.up")).toBe("ALPHA\n!");
  });

  it("a modified output is reported and restored", async () => {
    const ws = toyWorkspace();
    await runJson(ws);
    writeFileSync(join(ws, "out/all.txt"), "tampered");
    const st = await statusJson(ws);
    expect(st.find((n) => n.id === "concat")!.reasons).toEqual(["output modified: out/all.txt"]);
    const r = await runJson(ws);
    expect(r.summary.restored).toEqual(["concat"]);
    expect(read(ws, "out/all.txt")).toBe("ALPHA\n!BETA\n!");
  });

  it("setting a param back to an earlier value restores without running", async () => {
    const ws = toyWorkspace();
    await runJson(ws);
    const changed = await runJson(ws, "--set", "suffix=?");
    expect(changed.summary.ran.length).toBe(3);
    const st = await statusJson(ws);
    expect(st.find((n) => n.id === "upper[name=a]")!.reasons).toContain("param suffix changed (? → !)");
    const back = await runJson(ws);
    expect(back.summary.ran).toEqual([]);
    expect(back.summary.restored.sort()).toEqual(["concat", "upper[name=a]", "upper[name=b]"]);
    expect(read(ws, "out/all.txt")).toBe("ALPHA\n!BETA\n!");
  });
});
