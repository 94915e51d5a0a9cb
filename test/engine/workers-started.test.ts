// Workers are started for work, not for --jobs: a no-op run starts none, and a run with
// fewer TypeScript nodes than --jobs starts no idle ones. Each worker start is counted by
// a preload script given through FLOW_WORKER_NODE_OPTIONS.
import { describe, it, expect } from "vitest";
import { writeFileSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { toyWorkspace, tempDir, FLOW } from "../rig.js";

describe("worker start-up", () => {
  it("two TypeScript nodes with --jobs 8 start at most two workers; the no-op run starts none", async () => {
    const ws = toyWorkspace();
    const dir = tempDir();
    const count = join(dir, "started");
    // (the loader's hooks thread runs the preload too: count processes, not runs)
    writeFileSync(join(dir, "mark.cjs"), `require("node:fs").appendFileSync(${JSON.stringify(count)}, process.pid + "\\n");\n`);
    const env = { ...process.env, FLOW_WORKER_NODE_OPTIONS: `--require ${join(dir, "mark.cjs")}` };
    const started = () => (existsSync(count) ? new Set(readFileSync(count, "utf8").split("\n").filter(Boolean)).size : 0);
    const first = await execa(process.execPath, [FLOW, "run", "--jobs", "8"], { cwd: ws, env, reject: false });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(started()).toBeGreaterThan(0);
    expect(started()).toBeLessThanOrEqual(2);
    const before = started();
    const noop = await execa(process.execPath, [FLOW, "run", "--jobs", "8"], { cwd: ws, env, reject: false });
    expect(noop.exitCode).toBe(0);
    expect(noop.stdout).toMatch(/0 ran, 0 restored, 3 up to date/);
    expect(started()).toBe(before);
  });
});
