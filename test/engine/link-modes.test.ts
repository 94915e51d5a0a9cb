// Restores by copy (verified), hard link (stored once, read-only) or reflink.
import { describe, expect, it } from "vitest";
import { readFileSync, rmSync, statSync, writeFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { flow, objects, read, runJson, toyWorkspace } from "../rig.js";

const isRoot = process.getuid?.() === 0;

describe("--link", () => {
  it("hardlink: the workspace file is the read-only object itself (stored once)", async () => {
    const ws = toyWorkspace();
    expect((await runJson(ws)).code).toBe(0);
    rmSync(join(ws, "out"), { recursive: true });
    const r = await runJson(ws, "--link", "hardlink");
    expect(r.summary.restored.length).toBe(3);
    const f = statSync(join(ws, "out/a.up"));
    const obj = objects(ws)
      .map((p) => statSync(p))
      .find((o) => o.ino === f.ino);
    expect(obj).toBeDefined();
    expect(f.nlink).toBeGreaterThanOrEqual(2);
    expect(f.mode & 0o777).toBe(0o444);
    expect(read(ws, "out/a.up")).toBe("ALPHA\n!");
    expect((await runJson(ws)).summary.upToDate.length).toBe(3);
  });

  it.skipIf(isRoot)("hardlink: nobody edits an object through a workspace file (root is not stopped by 0444)", async () => {
    const ws = toyWorkspace();
    await runJson(ws);
    rmSync(join(ws, "out"), { recursive: true });
    await runJson(ws, "--link", "hardlink");
    expect(() => writeFileSync(join(ws, "out/a.up"), "edited")).toThrow(/EACCES/);
  });

  it("copy (the default) and reflink: separate, writable files, verified on the way", async () => {
    for (const mode of ["copy", "reflink"]) {
      const ws = toyWorkspace();
      await runJson(ws);
      rmSync(join(ws, "out"), { recursive: true });
      const r = await runJson(ws, ...(mode === "copy" ? [] : ["--link", mode]));
      expect(r.summary.restored.length).toBe(3);
      const f = statSync(join(ws, "out/a.up"));
      expect(f.nlink).toBe(1);
      expect(f.mode & 0o777).toBe(0o644);
      // a corrupt object is caught by the re-hash, and recomputed
      const p = objects(ws).find((x) => readFileSync(x, "utf8") === "ALPHA\n!")!;
      chmodSync(p, 0o644);
      writeFileSync(p, "ALPHA\n?");
      rmSync(join(ws, "out/a.up"));
      const again = await runJson(ws, ...(mode === "copy" ? [] : ["--link", mode]));
      expect(again.summary.ran).toContain("upper[name=a]");
      expect(read(ws, "out/a.up")).toBe("ALPHA\n!");
    }
  });

  it("an unknown mode is a usage error", async () => {
    const ws = toyWorkspace();
    const r = await flow(ws, "run", "--link", "symlink");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--link symlink: expected copy, hardlink, reflink");
  });
});
