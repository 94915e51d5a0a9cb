// Output paths and node ids as targets (as make and Snakemake take files), and the
// pipeline file found upward from a subfolder (as git finds its repository).
import { describe, expect, it } from "vitest";
import { execa } from "execa";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FLOW, flow, runJson, statusJson, toyWorkspace } from "../rig.js";

const inDir = (cwd: string, ...args: string[]) =>
  execa(process.execPath, [FLOW, ...args], { cwd, reject: false, env: { ...process.env, FORCE_COLOR: "0" } });

describe("targets", () => {
  it("status and run take an output path, a folder of outputs, or a node id", async () => {
    const ws = toyWorkspace();
    expect((await statusJson(ws, "out/b.up")).map((n) => n.id)).toEqual(["upper[name=b]"]);
    expect((await statusJson(ws, "out/all.txt")).map((n) => n.id)).toEqual(["concat"]);
    expect((await statusJson(ws, "out")).map((n) => n.id)).toEqual(["upper[name=a]", "upper[name=b]", "concat"]);
    expect((await statusJson(ws, "upper[name=a]", "out/all.txt")).map((n) => n.id)).toEqual(["upper[name=a]", "concat"]);
    expect((await statusJson(ws, "out", "name=b")).map((n) => n.id)).toEqual(["upper[name=b]"]); // a selector narrows them
    const r = await runJson(ws, "out/b.up");
    expect(r.code).toBe(0);
    expect(r.summary.ran).toEqual(["upper[name=b]"]);
    expect(readFileSync(join(ws, "out/b.up"), "utf8")).toBe("BETA\n!");
  });

  it("a path that no node makes is one clear error, not a pipeline file", async () => {
    const ws = toyWorkspace();
    writeFileSync(join(ws, "notes.h5"), "not a pipeline");
    const r = await flow(ws, "status", "notes.h5");
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `flow: 'notes.h5' is not a node, nor an output of one, nor a folder of outputs (${join(ws, "notes.h5")}); selectors are key=value, e.g. stimulus=dot_motion`,
    );
    expect(r.stderr).not.toContain("not a pipeline");
  });

  it("from a subfolder, the pipeline file is found upward and paths are taken from where flow was started", async () => {
    const ws = toyWorkspace();
    const sub = join(ws, "out");
    mkdirSync(sub, { recursive: true });
    const r = await inDir(sub, "status", "--json", "b.up");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).map((n: { id: string }) => n.id)).toEqual(["upper[name=b]"]);
    const run = await inDir(join(ws, "in"), "run");
    expect(run.exitCode, run.stderr).toBe(0);
    expect(readFileSync(join(ws, "out/all.txt"), "utf8")).toBe("ALPHA\n!BETA\n!"); // outputs land in the pipeline's folder
  });

  it("a task module that does not exist is named by status, with its line", async () => {
    const ws = toyWorkspace();
    const yaml = readFileSync(join(ws, "pipeline.yaml"), "utf8").replace("tasks/upper.ts", "tasks/uper.ts");
    writeFileSync(join(ws, "pipeline.yaml"), yaml);
    const r = await flow(ws, "status");
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("flow: pipeline.yaml:9 (tasks.upper.run.module): no such task module: tasks/uper.ts");
  });
});
