// `flow gc` frees space: it keeps this workspace's outputs and what the last K runs made,
// and drops the rest.
import { describe, expect, it } from "vitest";
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
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
    expect(text.stdout).toMatch(/^gc: would remove 6 object\(s\) \([\d.]+ kB\) and 6 index entries; kept 6 object\(s\)/);
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

  it("a workspace whose own cache another workspace uses keeps that workspace's fresh results", async () => {
    const b = toyWorkspace();
    const a = toyWorkspace();
    expect((await runJson(b, "--set", "suffix=b")).code).toBe(0);
    // A keeps its results in B's cache folder (inside B: B alone would call it private)
    expect((await runJson(a, "--cache-dir", join(b, "cache"), "--set", "suffix=a")).code).toBe(0);
    const r = await gc(b, "--keep-runs", "0");
    expect(r).toMatchObject({ shared: true, olderThan: "30d", removedObjects: 0 });
    const text = await flow(b, "gc", "--keep-runs", "0", "--dry-run");
    expect(text.stdout).toContain(`(a shared cache: also used by ${relative(b, a)})`);
    expect((await runJson(a, "--cache-dir", join(b, "cache"), "--set", "suffix=a")).summary.upToDate.length).toBe(3);
    rmSync(join(a, "out"), { recursive: true });
    expect((await runJson(a, "--cache-dir", join(b, "cache"), "--set", "suffix=a")).summary.restored.length).toBe(3);
    // once A is gone, B's cache is B's own again
    rmSync(a, { recursive: true });
    expect(await gc(b, "--keep-runs", "0")).toMatchObject({ shared: false, removedObjects: 3 });
  });

  it("--dry-run lists what would go, by node and size, largest first", async () => {
    const ws = toyWorkspace({ "in/a.txt": "a".repeat(5000) + "\n" });
    for (const s of ["1", "2"]) await runJson(ws, "--set", `suffix=${s}`);
    const r = await flow(ws, "gc", "--keep-runs", "0", "--dry-run");
    const lines = r.stdout.split("\n");
    expect(lines[1]).toMatch(/^  by task: (upper|concat) [\d.]+ kB, (upper|concat) [\d.]+ kB$/);
    const rows = lines.slice(2).filter((l) => l.trim());
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^ +[\d.]+ kB {2}(upper\[name=a\]|concat) {2}[0-9a-f]{12}$/);
    expect(rows.map((l) => l.trim().split(/ +/)[2])).toContain("upper[name=b]");
    const sizes = (JSON.parse((await flow(ws, "gc", "--keep-runs", "0", "--dry-run", "--json")).stdout).removed as { bytes: number }[]).map(
      (x) => x.bytes,
    );
    expect(sizes).toEqual([...sizes].sort((x, y) => y - x));
  });

  it("bounds what grows: run records beyond the last 100, task output no run or node needs, finished job files", async () => {
    const ws = toyWorkspace();
    expect((await runJson(ws)).code).toBe(0);
    const runs = join(ws, ".flow/runs");
    const [only] = readdirSync(runs).filter((f) => f.endsWith(".jsonl"));
    for (let i = 0; i < 105; i++) copyFileSync(join(runs, only!), join(runs, `2020${String(i).padStart(4, "0")}-old.jsonl`));
    const old = Date.now() / 1000 - 3 * 86400;
    mkdirSync(join(ws, "cache/logs/ab"), { recursive: true });
    writeFileSync(join(ws, "cache/logs/ab", `${"ab".repeat(32)}.log`), "an old task's output\n");
    utimesSync(join(ws, "cache/logs/ab", `${"ab".repeat(32)}.log`), old, old);
    mkdirSync(join(ws, ".flow/slurm"), { recursive: true });
    writeFileSync(join(ws, ".flow/slurm/flow-x.sh"), "#!/bin/sh\n");
    utimesSync(join(ws, ".flow/slurm/flow-x.sh"), old, old);
    const r = await gc(ws);
    expect(r.trimmed).toBe(6 + 1 + 1); // 106 run records: the 6 oldest
    expect(readdirSync(runs).filter((f) => f.endsWith(".jsonl"))).toHaveLength(100);
    expect(readdirSync(runs)).toContain(only); // the newest stays
    expect(existsSync(join(ws, "cache/logs/ab"))).toBe(true);
    expect(readdirSync(join(ws, "cache/logs/ab"))).toEqual([]);
    expect(readdirSync(join(ws, ".flow/slurm"))).toEqual([]);
    expect((await flow(ws, "log", "--run", "last")).code).toBe(0);
  });

  it("reads ages as people write them", () => {
    expect(parseAge("30d")).toBe(30 * 86400e3);
    expect(parseAge("12h")).toBe(12 * 3600e3);
    expect(parseAge("90m")).toBe(90 * 60e3);
    expect(parseAge("2w")).toBe(14 * 86400e3);
    expect(() => parseAge("soon")).toThrow("--older-than soon: expected a number with a unit");
  });
});
