import { describe, it, expect } from "vitest";
import { writeFileSync, mkdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { hostname } from "node:os";
import { spawn } from "node:child_process";
import { toyWorkspace, flow, runJson } from "../rig.js";

describe("one run at a time per workspace", () => {
  it("a lock held by a live process refuses the second run and names the holder", async () => {
    const ws = toyWorkspace();
    const holder = spawn("sleep", ["30"]);
    try {
      mkdirSync(join(ws, ".flow"), { recursive: true });
      writeFileSync(
        join(ws, ".flow/lock"),
        JSON.stringify({ pid: holder.pid, host: hostname(), start: "2026-11-23T10:00:00.000Z", command: "flow run" }),
      );
      for (const cmd of [["run"], ["invalidate", "name=a"], ["gc"]]) {
        const r = await flow(ws, ...cmd);
        expect(r.code).toBe(3); // the environment: another process holds the workspace
        expect(r.stderr).toContain(`workspace is locked by 'flow run' (pid ${holder.pid} on ${hostname()}, since 2026-11-23T10:00:00.000Z)`);
      }
      expect(existsSync(join(ws, "out"))).toBe(false);
    } finally {
      holder.kill();
    }
  });

  it("a lock left by a dead process is taken over", async () => {
    const ws = toyWorkspace();
    const dead = spawn("true");
    await new Promise((r) => dead.on("exit", r));
    mkdirSync(join(ws, ".flow"), { recursive: true });
    writeFileSync(
      join(ws, ".flow/lock"),
      JSON.stringify({ pid: dead.pid, host: hostname(), start: "2026-11-23T10:00:00.000Z", command: "flow run" }),
    );
    const r = await runJson(ws);
    expect(r.code).toBe(0);
    expect(r.summary.ran.length).toBe(3);
    expect(existsSync(join(ws, ".flow/lock"))).toBe(false);
  });

  it("status does not need the lock", async () => {
    const ws = toyWorkspace();
    mkdirSync(join(ws, ".flow"), { recursive: true });
    writeFileSync(join(ws, ".flow/lock"), JSON.stringify({ pid: process.pid, host: hostname(), start: "x", command: "flow run" }));
    expect((await flow(ws, "status")).code).toBe(0);
  });
});

describe("two real runs at once", () => {
  it("the second is refused while the first runs, naming its pid", async () => {
    const { execa } = await import("execa");
    const { FLOW, GATE_SH, gates } = await import("../rig.js");
    const ws = toyWorkspace({
      "pipeline.yaml": `version: 1\ntasks:\n  slow:\n    run: { argv: [/bin/sh, -c, '${GATE_SH("slow")}', "\${out.o}"] }\n    outputs: { o: out/slow.txt }\n`,
    });
    const first = execa(process.execPath, [FLOW, "run"], { cwd: ws, reject: false });
    // the first holds the lock while its task waits at its gate
    const g = gates(ws);
    await g.started("slow");
    const second = await flow(ws, "run");
    expect(second.code).toBe(3);
    expect(second.stderr).toContain(`workspace is locked by 'flow run' (pid ${first.pid} on ${hostname()}`);
    g.release("slow");
    expect((await first).exitCode).toBe(0);
    expect((await flow(ws, "run")).code).toBe(0);
  });
});
