// Only `flow run` prepares; status, dag, run -n, report and gc write nothing of the
// pipeline's and say what run would do — dag, run -n and report describe the graph, with
// "*" for the members of a set whose inputs prepare has yet to make; every path resolves
// against the pipeline file's folder, wherever flow starts.
import { describe, it, expect } from "vitest";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { toyWorkspace, tempDir, flow, read } from "../rig.js";
import { PREPARED_COPY } from "../toy-pipelines.js";

const yaml = PREPARED_COPY;
// A generator that writes where it is told (relative paths against the current folder,
// as a user's command would): the engine must hand it an absolute path.
const make = `import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
export const cli = { args: "<dir>", options: [] };
export async function command({ args }: { args: string[] }) {
  const dir = resolve(process.cwd(), args[0]!);
  mkdirSync(dir, { recursive: true });
  writeFileSync(resolve(dir, "a.txt"), "a\\n");
  return 0;
}
`;

describe("read-only commands write nothing", () => {
  it("on a fresh clone status, dag, run -n, report and gc say what run would prepare, describe the graph, and create nothing", async () => {
    const ws = toyWorkspace({ "pipeline.yaml": yaml, "tasks/make.ts": make });
    const prepare = `creates ${join(ws, "gen")} (flow make ${join(ws, "gen")})`;
    const st = await flow(ws, "status");
    expect(st.code).toBe(0);
    expect(st.stdout.trim()).toBe(`not prepared yet: 'flow run' first ${prepare}`);
    const dag = await flow(ws, "dag", "--format", "json");
    expect(dag.code).toBe(0);
    expect(JSON.parse(dag.stdout)).toEqual({ nodes: ["copy[name=*]"], edges: [] });
    expect(dag.stderr.trim()).toBe(`flow dag: not prepared yet (flow run first ${prepare}); * stands for the members of name`);
    const tasks = await flow(ws, "dag", "--tasks", "--format", "json");
    expect(JSON.parse(tasks.stdout)).toEqual({ nodes: ["copy"], edges: [] });
    const dry = await flow(ws, "run", "-n");
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`would prepare: ${prepare}`);
    expect(dry.stdout).toMatch(/would run +copy\[name=\*\]/);
    expect(dry.stdout).toMatch(/dry run: 1 prepare step\(s\), 1 to run, 0 to restore, 0 up to date$/);
    expect((await flow(ws, "report", "-o", join(tempDir(), "r.html"))).code).toBe(0);
    expect((await flow(ws, "gc", "--dry-run")).code).toBe(0);
    expect(existsSync(join(ws, "gen"))).toBe(false);
    expect(readdirSync(ws).sort()).toEqual(["in", "pipeline.yaml", "tasks"].concat(existsSync(join(ws, ".flow")) ? [".flow"] : []).sort());
  });

  it("from another folder, status writes nothing there, and run prepares beside the pipeline file", async () => {
    const ws = toyWorkspace({ "pipeline.yaml": yaml, "tasks/make.ts": make });
    const elsewhere = tempDir("flow-cwd-");
    expect((await flow(elsewhere, "status", join(ws, "pipeline.yaml"))).code).toBe(0);
    expect(readdirSync(elsewhere)).toEqual([]);
    const r = await flow(elsewhere, "run", join(ws, "pipeline.yaml"));
    expect(r.code).toBe(0);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(read(ws, "out/a.txt")).toBe("a\n");
  });

  it("a prepare step's arguments go through the same parser: a wrong one is a pipeline error naming the step", async () => {
    const ws = toyWorkspace({ "pipeline.yaml": yaml.replace('args: ["\${gen}"]', 'args: ["\${gen}", "--frob"]'), "tasks/make.ts": make });
    const r = await flow(ws, "run");
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`flow: pipeline.yaml:7 (prepare.0): flow make ${join(ws, "gen")} --frob: flow: unknown option '--frob'`);
    expect(existsSync(join(ws, "gen"))).toBe(false);
    const bare = toyWorkspace({ "pipeline.yaml": yaml, "tasks/make.ts": make.replace(/export const cli = .*\n/, "") });
    const b = await flow(bare, "run");
    expect(b.code).toBe(2);
    expect(b.stderr.trim()).toBe("flow: pipeline.yaml:7 (prepare.0): commands.make: tasks/make.ts exports no cli { args, options } declaration");
  });

  it("flow log reads the history when the default params' inputs are not prepared; only a target, which needs the graph, is refused", async () => {
    const ws = toyWorkspace({ "pipeline.yaml": yaml, "tasks/make.ts": make });
    const r = await flow(ws, "run");
    expect(r.code, r.stderr).toBe(0);
    rmSync(join(ws, "gen"), { recursive: true }); // the inputs go (another disk, a clean-up): the history stays

    const last = await flow(ws, "log", "--run", "last");
    expect(last.code, last.stderr).toBe(0);
    expect(last.stdout).toMatch(/ran +copy\[name=a\]/);
    const runs = await flow(ws, "log", "--runs");
    expect(runs.code).toBe(0);
    expect(runs.stdout).toMatch(/ok .*run\b/);
    const recs = await flow(ws, "log", "name=a");
    expect(recs.code).toBe(0);
    expect(recs.stdout).toMatch(/ok +copy\[name=a\]/);

    const target = await flow(ws, "log", "copy[name=a]");
    expect(target.code).toBe(3);
    expect(target.stderr.trim()).toBe(`flow: not prepared yet: 'flow run' first creates ${join(ws, "gen")} (flow make ${join(ws, "gen")})`);
    expect(existsSync(join(ws, "gen"))).toBe(false); // log prepares nothing
  });
});
