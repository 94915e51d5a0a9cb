// SLURM jobs on other hosts share the workspace's folders. Temp names and the
// lock carry the host; taking the lock is atomic (link()).
import { describe, it, expect } from "vitest";
import { writeFileSync, mkdirSync, existsSync } from "node:fs";
import { join, basename } from "node:path";
import { execa } from "execa";
import { tempDir, REPO } from "../rig.js";
import { tempSibling, deadTemp } from "../../engine/host/temp.js";
import { readLock } from "../../engine/host/lock.js";
import { hostTag } from "../../engine/host/process.js";

describe("cross-host safety", () => {
  it("temp names carry host and pid; only this host's dead writers are swept at once", () => {
    const dir = tempDir();
    const t = basename(tempSibling(join(dir, "x.h5")));
    expect(t).toMatch(new RegExp(`^\\.x\\.h5\\.tmp-${hostTag().replace(/\./g, "\\.")}-${process.pid}-[0-9a-f]{8}$`));
    writeFileSync(join(dir, t), "");
    expect(deadTemp(dir, t)).toBe(false); // ours, alive
    const otherHostLivePid = `.x.h5.tmp-node17-${process.pid}-0123abcd`;
    writeFileSync(join(dir, otherHostLivePid), "");
    expect(deadTemp(dir, otherHostLivePid)).toBe(false); // another host: not ours to judge
    expect(deadTemp(dir, otherHostLivePid, Date.now() + 25 * 3600_000)).toBe(true); // … until a day has passed
  });

  it("eight processes racing for a lock left by a dead holder: exactly one gets it", async () => {
    const ws = tempDir();
    mkdirSync(join(ws, ".flow"));
    const lock = join(ws, ".flow/lock");
    writeFileSync(
      lock,
      JSON.stringify({ pid: 999999, host: (await import("node:os")).hostname(), start: "2026-01-01T00:00:00Z", command: "flow run" }),
    );
    const script = join(ws, "take.ts");
    writeFileSync(
      script,
      `import { Lock } from ${JSON.stringify(join(REPO, "engine/host/lock.ts"))};
const l = new Lock(${JSON.stringify(lock)});
const go = Number(process.argv[2]);
while (Date.now() < go) { /* start together */ }
try { l.acquire("race"); console.log("got"); setTimeout(() => l.release(), 1500); } catch { console.log("refused"); }
`,
    );
    const go = String(Date.now() + 1500);
    const runs = await Promise.all(
      Array.from({ length: 8 }, () => execa(process.execPath, [join(REPO, "bin/run-ts.js"), script, go], { reject: false })),
    );
    const said = runs.map((r) => r.stdout.trim()).sort();
    expect(said, runs.map((r) => r.stderr).join("")).toEqual(["got", ...Array(7).fill("refused")]);
    expect(existsSync(lock)).toBe(false);
  }, 60_000);

  it("an empty or garbage lock (flow never writes one: locks appear whole) is taken over", async () => {
    const ws = tempDir();
    mkdirSync(join(ws, ".flow"));
    const { Lock } = await import("../../engine/host/lock.js");
    for (const junk of ["", "{not json"]) {
      writeFileSync(join(ws, ".flow/lock"), junk);
      const l = new Lock(join(ws, ".flow/lock"));
      l.acquire("test");
      expect(readLock(join(ws, ".flow/lock"))?.pid).toBe(process.pid);
      l.release();
    }
  });
});
