// Shell tasks are started by one helper process (engine/exec/shell.ts). What it must
// keep true: output, exit codes and start failures reach the node as before; a helper
// that dies fails the nodes it had (none hangs) and the next run works; a head killed
// with SIGKILL leaves no task process running behind it.
import { describe, it, expect } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { toyWorkspace, flow, statusJson, FLOW, alive } from "../rig.js";

const waitFor = async (what: string, ok: () => boolean, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
/** `flow run` in a process of its own (these tests kill it, or a process it started). */
const spawnRun = (ws: string) => {
  const child = spawn(process.execPath, [FLOW, "run"], { cwd: ws, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  const closed = new Promise<number | null>((res) => child.on("close", (c) => res(c)));
  return { child, closed, stderr: () => err };
};
/** The pids of the processes whose parent is `ppid` (from /proc). */
const childrenOf = (ppid: number): { pid: number; cmd: string }[] => {
  const out: { pid: number; cmd: string }[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === ppid) out.push({ pid: Number(d), cmd: readFileSync(`/proc/${d}/cmdline`, "utf8").replace(/\0/g, " ") });
    } catch {
      /* gone */
    }
  }
  return out;
};

describe("the shell-task helper", () => {
  it("output, exit codes and a program that cannot start reach the node", async () => {
    const ws = toyWorkspace({
      "pipeline.yaml": `version: 1
tasks:
  ok:
    run: { argv: [/bin/sh, -c, 'echo to-out; echo to-err >&2; echo done > "$0"', "\${out.o}"] }
    outputs: { o: out/ok.txt }
  bad:
    run: { argv: [/bin/sh, -c, 'echo before-failing; exit 7'] }
    outputs: { o: out/bad.txt }
  missing:
    run: { argv: [/no/such/program, x] }
    outputs: { o: out/missing.txt }
`,
    });
    const r = await flow(ws, "run", "--keep-going");
    expect(r.code).toBe(1);
    expect(readFileSync(join(ws, "out/ok.txt"), "utf8")).toBe("done\n");
    expect(r.stderr).toContain("/bin/sh failed (exit code 7): before-failing");
    expect(r.stderr).toContain("/no/such/program failed (could not start: ENOENT)");
    const log = await flow(ws, "log", "ok", "--output");
    expect(log.stdout).toContain("to-out");
    expect(log.stdout).toContain("to-err");
    expect((await statusJson(ws)).map((n) => [n.id, n.state])).toEqual([
      ["ok", "up-to-date"],
      ["bad", "never-run"],
      ["missing", "never-run"],
    ]);
  }, 60_000);

  it("a helper killed mid-task fails its node (no hang); the next run works", async () => {
    const ws = toyWorkspace({
      "pipeline.yaml": `version: 1
tasks:
  slow:
    run: { argv: [/bin/sh, -c, 'echo $$ > "$1"; sleep 2; echo x > "$0"', "\${out.o}", started.pid] }
    outputs: { o: out/slow.txt }
`,
    });
    const { child, closed, stderr } = spawnRun(ws);
    await waitFor("the task to start", () => existsSync(join(ws, "started.pid")));
    const helper = childrenOf(child.pid!).find((c) => c.cmd.includes("shell-process"));
    expect(helper, JSON.stringify(childrenOf(child.pid!))).toBeDefined();
    process.kill(helper!.pid, "SIGKILL");
    expect(await closed).toBe(1);
    expect(stderr()).toContain("the process that starts shell tasks died (signal SIGKILL)");
    expect((await statusJson(ws))[0]!.state).toBe("never-run");
    const again = await flow(ws, "run");
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(ws, "out/slow.txt"), "utf8")).toBe("x\n");
  }, 60_000);

  it("a head killed with SIGKILL leaves no task running", async () => {
    const ws = toyWorkspace({
      "pipeline.yaml": `version: 1
tasks:
  forever:
    run: { argv: [/bin/sh, -c, 'echo $$ > "$1"; exec sleep 60', "\${out.o}", task.pid] }
    outputs: { o: out/never.txt }
`,
    });
    const { child, closed } = spawnRun(ws);
    await waitFor("the task to start", () => existsSync(join(ws, "task.pid")) && readFileSync(join(ws, "task.pid"), "utf8").endsWith("\n"));
    const task = Number(readFileSync(join(ws, "task.pid"), "utf8"));
    expect(alive(task)).toBe(true);
    child.kill("SIGKILL");
    await closed;
    await waitFor(`task ${task} to end`, () => !alive(task) || readFileSync(`/proc/${task}/stat`, "utf8").includes(") Z "), 10_000);
  }, 60_000);
});
