import { describe, it, expect } from "vitest";
import { readFileSync, writeFileSync, rmSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { toyWorkspace, runJson, read, flow, objects } from "../rig.js";

describe("cache integrity", () => {
  it("objects are named by the sha256 of their content", async () => {
    const ws = toyWorkspace();
    await runJson(ws);
    for (const o of objects(ws)) expect(createHash("sha256").update(readFileSync(o)).digest("hex")).toBe(o.split("/").pop());
  });

  it("a corrupt object is detected on restore, discarded, and the node recomputed", async () => {
    const ws = toyWorkspace();
    await runJson(ws);
    const want = read(ws, "out/a.up");
    const obj = objects(ws).find((o) => readFileSync(o, "utf8") === want)!;
    chmodSync(obj, 0o644);
    const bytes = readFileSync(obj);
    bytes[0] = bytes[0]! ^ 0xff;
    writeFileSync(obj, bytes);
    rmSync(join(ws, "out/a.up"));
    const r = await runJson(ws);
    expect(r.summary.ran).toEqual(["upper[name=a]"]);
    expect(r.stderr).toContain("upper[name=a]: cache object corrupt (hash mismatch): out/a.up; discarded, recomputing");
    expect(read(ws, "out/a.up")).toBe(want);
  });

  it("a deleted index is rebuilt by the next run without crashing", async () => {
    const ws = toyWorkspace();
    await runJson(ws);
    rmSync(join(ws, "cache/index"), { recursive: true });
    rmSync(join(ws, "out"), { recursive: true });
    const r = await runJson(ws);
    expect(r.code).toBe(0);
    expect(r.summary.ran.length).toBe(3);
    expect(read(ws, "out/all.txt")).toBe("ALPHA\n!BETA\n!");
  });

  it("gc drops objects no index entry reaches and keeps the rest", async () => {
    const ws = toyWorkspace();
    await runJson(ws);
    await runJson(ws, "--set", "suffix=?");
    const before = objects(ws).length;
    expect(before).toBe(6);
    rmSync(join(ws, "cache/index"), { recursive: true });
    await runJson(ws); // re-indexes the "!" results only (they run again)
    const r = await flow(ws, "gc", "--json");
    expect(JSON.parse(r.stdout)).toMatchObject({ removedObjects: 3, keptObjects: 3 });
    expect(objects(ws).length).toBe(3);
    expect((await runJson(ws)).summary.upToDate.length).toBe(3);
  });
});
