// SIGINT/SIGTERM to the whole process group end with 130/143, one line, the lock released
// and no stack trace; a worker whose head is killed exits quietly. The tasks are gates
// (test/rig.ts): the signal is sent once both have started, never after a fixed wait.
import { describe, it, expect } from "vitest";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { toyWorkspace, statusJson, FLOW, GATE_SH, GATE_TS, gates } from "../rig.js";

const yaml = `version: 1
tasks:
  slow_ts:
    run: { module: tasks/slow.ts }
    outputs: { o: out/ts.txt }
  slow_sh:
    run: { argv: [/bin/sh, -c, '${GATE_SH("slow_sh")}', "\${out.o}"] }
    outputs: { o: out/sh.txt }
`;
const slow = GATE_TS;

/** Starts `flow run -j 2` in its own process group; resolves once both tasks have started. */
function start(ws: string) {
  const child = spawn(process.execPath, [FLOW, "run", "-j", "2", "-v"], { cwd: ws, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let out = "",
    err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const closed = new Promise<number | null>((res) => child.on("close", (code) => res(code)));
  const g = gates(ws);
  const running = Promise.all([g.started("slow_ts"), g.started("slow_sh")]).then(() => undefined);
  return { child, running, closed, output: () => ({ out, err }) };
}

describe("interrupting a run", () => {
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    it(`${signal} to the process group: exit ${code}, one line, lock released, no trace`, async () => {
      const ws = toyWorkspace({ "pipeline.yaml": yaml, "tasks/slow.ts": slow });
      const run = start(ws);
      await run.running;
      expect(existsSync(join(ws, ".flow/lock"))).toBe(true);
      process.kill(-run.child.pid!, signal);
      expect(await run.closed).toBe(code);
      const { err } = run.output();
      expect(err.trim()).toMatch(
        new RegExp(`^flow: interrupted by ${signal}; 2 node\\(s\\) were running and are left stale: (slow_ts, slow_sh|slow_sh, slow_ts)$`),
      );
      expect(existsSync(join(ws, ".flow/lock"))).toBe(false);
      expect((await statusJson(ws)).map((n) => n.state)).toEqual(["never-run", "never-run"]);
    }, 60_000);
  }

  it("a worker whose head is killed exits quietly (no stack trace)", async () => {
    const ws = toyWorkspace({ "pipeline.yaml": yaml, "tasks/slow.ts": slow });
    const run = start(ws);
    await run.running;
    run.child.kill("SIGKILL"); // the head only: its worker stays, loses its parent
    await run.closed; // every holder of the pipes (the worker too) has exited
    const { err } = run.output();
    expect(err).not.toMatch(/Error|\n\s+at /);
    try {
      process.kill(-run.child.pid!, "SIGKILL");
    } catch {
      /* the orphaned sleep of the shell task, if still there */
    }
  }, 60_000);

  it("--jobs 12 with one stale node: workers started and ended around it never crash the head (EPIPE)", async () => {
    const { toyWorkspace: toy, flow } = await import("../rig.js");
    const ws = toy();
    expect((await flow(ws, "run")).code).toBe(0);
    const { writeFileSync } = await import("node:fs");
    for (let i = 0; i < 3; i++) {
      writeFileSync(join(ws, "in/a.txt"), `alpha ${i}\n`);
      const r = await flow(ws, "run", "--jobs", "12");
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/EPIPE|Unhandled|\n\s+at /);
      expect(existsSync(join(ws, ".flow/lock"))).toBe(false);
    }
  }, 60_000);
});
