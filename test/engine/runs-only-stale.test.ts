import { describe, it, expect } from "vitest";
import { toyWorkspace, runJson, write, read } from "../rig.js";

describe("flow run runs only stale nodes", () => {
  it("runs everything once, then nothing, then only what an input change touches", async () => {
    const ws = toyWorkspace();
    const first = await runJson(ws);
    expect(first.code).toBe(0);
    expect(first.summary.ran.sort()).toEqual(["concat", "upper[name=a]", "upper[name=b]"]);
    expect(read(ws, "out/all.txt")).toBe("ALPHA\n!BETA\n!");

    const second = await runJson(ws);
    expect(second.summary.ran).toEqual([]);
    expect(second.summary.upToDate.length).toBe(3);

    write(ws, { "in/a.txt": "gamma\n" });
    const third = await runJson(ws);
    expect(third.summary.ran.sort()).toEqual(["concat", "upper[name=a]"]);
    expect(third.summary.upToDate).toEqual(["upper[name=b]"]);
    expect(read(ws, "out/all.txt")).toBe("GAMMA\n!BETA\n!");
  });

  it("a param the task does not declare does not make it stale", async () => {
    const ws = toyWorkspace();
    await runJson(ws);
    const r = await runJson(ws, "--set", "unused=2");
    expect(r.summary.ran).toEqual([]);
    const s = await runJson(ws, "--set", "suffix=?");
    expect(s.summary.ran.sort()).toEqual(["concat", "upper[name=a]", "upper[name=b]"]);
  });

  it("with selectors runs only the matching nodes and what they need", async () => {
    const ws = toyWorkspace();
    const r = await runJson(ws, "name=b");
    expect(r.summary.ran).toEqual(["upper[name=b]"]);
    const all = await runJson(ws, "task=concat");
    expect(all.summary.ran.sort()).toEqual(["concat", "upper[name=a]"]);
  });

  it("--dry-run says what would run and does nothing", async () => {
    const ws = toyWorkspace();
    const { flow } = await import("../rig.js");
    const r = await flow(ws, "run", "--dry-run");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("would run     upper[name=a]");
    expect(r.stdout).toContain("dry run: 3 to run, 0 to restore, 0 up to date");
    const again = await runJson(ws);
    expect(again.summary.ran.length).toBe(3);
  });
});
