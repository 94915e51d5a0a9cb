// An unreachable or read-only cache index is one clear error and a non-zero exit,
// never a hang, never a ✔ with nothing recorded.
import { describe, it, expect } from "vitest";
import { mkdirSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { toyWorkspace, flow, runJson, canMountTmpfs } from "../rig.js";

const canMount = canMountTmpfs();
if (!canMount) console.warn("SKIPPED the read-only-mount index test: mounting needs root (CI runs as root)");

describe("cache backends fail loudly", () => {
  for (const url of ["redis://:s3cret@127.0.0.1:1", "postgresql://flow:s3cret@127.0.0.1:1/flow"]) {
    it(`an unreachable ${url.split(":")[0]} index: run, status and gc end at once with one error naming the URL and the cause`, async () => {
      const ws = toyWorkspace();
      for (const cmd of ["run", "status", "gc"]) {
        const t0 = Date.now();
        const r = await flow(ws, cmd, "--cache-url", url);
        // a refused connection is an answer: no retrying until the 5 s timeout
        expect(Date.now() - t0, cmd).toBeLessThan(4_000);
        expect(r.code, cmd).toBe(3);
        const lines = r.stderr.trim().split("\n");
        expect(lines.length, r.stderr).toBe(1);
        expect(lines[0]).toMatch(new RegExp(`^flow: cache index ${url.split(":")[0]}://\\*\\*\\*@127\\.0\\.0\\.1:1`));
        expect(lines[0]).toMatch(/: connect ECONNREFUSED 127\.0\.0\.1:1$/);
        expect(r.stderr).not.toContain("s3cret");
      }
      expect(existsSync(join(ws, ".flow/lock"))).toBe(false);
      expect(existsSync(join(ws, "out"))).toBe(false);
    }, 60_000);
  }

  it("an index that cannot be written fails the node instead of printing ✔", async () => {
    const ws = toyWorkspace();
    mkdirSync(join(ws, "cache"), { recursive: true });
    writeFileSync(join(ws, "cache/index"), "not a folder"); // every index write: ENOTDIR
    const r = await runJson(ws, "--keep-going");
    expect(r.code).toBe(1);
    expect(r.summary.ran).toEqual([]);
    expect(r.summary.failed.map((f) => f.id).sort()).toEqual(["upper[name=a]", "upper[name=b]"]);
    expect(r.summary.failed[0]!.error).toMatch(/^.*\/cache\/index\/[0-9a-f]{2}: cannot mkdir: a parent is not a directory \(ENOTDIR\)$/);
  });

  it.skipIf(!canMount)("a read-only index (a read-only mount) fails the node", async () => {
    const ws = toyWorkspace();
    const idx = join(ws, "cache/index");
    mkdirSync(idx, { recursive: true });
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m,ro", "tmpfs", idx]);
    try {
      const r = await runJson(ws);
      expect(r.code).toBe(1);
      expect(r.summary.ran).toEqual([]);
      expect(r.summary.failed[0]!.error).toMatch(/\/cache\/index\/[0-9a-f]{2}: cannot mkdir: .*\((EROFS|ENOENT)\)$/);
    } finally {
      execFileSync("umount", [idx]);
      rmSync(idx, { recursive: true, force: true });
    }
  });
});
