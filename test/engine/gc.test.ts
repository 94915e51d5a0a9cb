// flow gc frees space: it keeps this workspace's outputs and what the last K runs made,
// and drops the rest (issue 13: after a few param changes gc removed nothing).
import { describe, expect, it } from "vitest";
import { flow, objects, runJson, tempDir, toyWorkspace } from "../rig.js";
import { parseAge } from "../../engine/cli/commands/gc.js";

const gc = async (ws: string, ...args: string[]) => {
  const r = await flow(ws, "gc", "--json", ...args);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

describe("flow gc", () => {
  it("keeps the workspace's outputs and the last K runs; --dry-run only counts", async () => {
    const ws = toyWorkspace();
    for (const s of ["1", "2", "3", "4"]) expect((await runJson(ws, "--set", `suffix=${s}`)).code).toBe(0);
    expect(objects(ws).length).toBe(12); // each suffix: two upper results and a concat
    const dry = await gc(ws, "--keep-runs", "2", "--dry-run");
    expect(dry).toMatchObject({ dryRun: true, removedObjects: 6, keptObjects: 6, removedEntries: 6 });
    expect(dry.removedBytes).toBeGreaterThan(0);
    expect(objects(ws).length).toBe(12);
    const text = await flow(ws, "gc", "--keep-runs", "2", "--dry-run");
    expect(text.stdout).toMatch(/^gc: would remove 6 object\(s\) \([\d.]+ MB\) and 6 index entries; kept 6 object\(s\)/);
    expect(await gc(ws, "--keep-runs", "2")).toMatchObject({ dryRun: false, removedObjects: 6, keptObjects: 6, removedEntries: 6, keptEntries: 6 });
    expect(objects(ws).length).toBe(6);
    const back = await runJson(ws, "--set", "suffix=3"); // a kept run: restored, not run
    expect(back.summary.ran).toEqual([]);
    expect(back.summary.restored.length).toBe(3);
    const old = await runJson(ws, "--set", "suffix=1"); // a dropped one: computed again
    expect(old.summary.ran.length).toBe(3);
  });

  it("--keep-runs 0 keeps only the current outputs; --older-than keeps anything younger", async () => {
    const ws = toyWorkspace();
    for (const s of ["1", "2"]) await runJson(ws, "--set", `suffix=${s}`);
    expect(await gc(ws, "--keep-runs", "0", "--older-than", "1h")).toMatchObject({ removedObjects: 0, keptObjects: 6 });
    expect(await gc(ws, "--keep-runs", "0")).toMatchObject({ removedObjects: 3, keptObjects: 3 });
    expect((await runJson(ws, "--set", "suffix=2")).summary.upToDate.length).toBe(3);
  });

  it("on a shared cache, colleagues' results younger than 30 days stay by default", async () => {
    const cache = tempDir("flow-shared-gc-");
    const a = toyWorkspace(),
      b = toyWorkspace();
    await runJson(a, "--cache-dir", cache, "--set", "suffix=a");
    await runJson(b, "--cache-dir", cache, "--set", "suffix=b");
    const r = await gc(b, "--cache-dir", cache);
    expect(r).toMatchObject({ shared: true, olderThan: "30d", removedObjects: 0 });
    expect((await runJson(a, "--cache-dir", cache, "--set", "suffix=a")).summary.upToDate.length).toBe(3);
  });

  it("reads ages as people write them", () => {
    expect(parseAge("30d")).toBe(30 * 86400e3);
    expect(parseAge("12h")).toBe(12 * 3600e3);
    expect(parseAge("90m")).toBe(90 * 60e3);
    expect(parseAge("2w")).toBe(14 * 86400e3);
    expect(() => parseAge("soon")).toThrow("--older-than soon: expected a number with a unit");
  });
});
