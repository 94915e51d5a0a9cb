// flow anywhere: flow packs (npm pack), installs as a command (npm install -g of the
// tarball, into a temporary prefix), and in an empty folder `flow init && flow run` works —
// a TypeScript task outside this repository finds #flow/task, and editing it makes exactly
// its nodes stale.
import { describe, it, expect } from "vitest";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { REPO, tempDir } from "../rig.js";

describe("flow as an installed command", () => {
  it("npm pack → npm install -g → flow init → flow run, in an empty folder", async () => {
    const dir = tempDir("flow-install-");
    const pack = await execa("npm", ["pack", "--pack-destination", dir, "--silent"], { cwd: REPO });
    const tarball = join(dir, pack.stdout.trim().split("\n").pop()!);
    expect(existsSync(tarball)).toBe(true);
    const prefix = join(dir, "prefix");
    await execa("npm", ["install", "-g", "--prefix", prefix, tarball, "--prefer-offline", "--no-audit", "--no-fund"], { cwd: dir });
    const flow = join(prefix, "bin", "flow");
    const ws = join(dir, "analysis");
    const env = { ...process.env, PATH: `${join(prefix, "bin")}:${process.env.PATH}` };
    const init = await execa(flow, ["init", ws], { env });
    expect(init.stdout).toContain("a starting pipeline in");
    expect(readFileSync(join(ws, "pipeline.yaml"), "utf8")).toMatch(
      /^# yaml-language-server: \$schema=file:\/\/.*\/schemas\/pipeline\.schema\.json\n/,
    );
    expect(readFileSync(join(ws, ".gitignore"), "utf8")).toContain("/.flow/");
    const run = await execa("flow", ["run"], { cwd: ws, env, reject: false });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(readFileSync(join(ws, "out/all.txt"), "utf8")).toBe("HELLO!\nWORLD!\n");
    const again = await execa("flow", ["run"], { cwd: ws, env });
    expect(again.stdout).toContain("0 ran, 0 restored, 3 up to date");
    writeFileSync(join(ws, "tasks/shout.ts"), readFileSync(join(ws, "tasks/shout.ts"), "utf8").replace("toUpperCase()", "toLowerCase()"));
    const st = await execa("flow", ["status", "--json"], { cwd: ws, env });
    const states = Object.fromEntries((JSON.parse(st.stdout) as { id: string; state: string }[]).map((n) => [n.id, n.state]));
    expect(states).toEqual({ "shout[name=a]": "stale", "shout[name=b]": "stale", together: "stale" });
    expect((await execa("flow", ["init", ws], { env, reject: false })).stderr).toContain("pipeline.yaml already exists");
  }, 180_000);
});
