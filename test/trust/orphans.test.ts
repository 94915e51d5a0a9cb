// After a run, the data folder holds only the outputs of current nodes. Outputs flow made
// for nodes that left the graph (a member taken out of a param list, an output renamed)
// would otherwise sit beside current ones, made with other params, looking current: they
// are removed after the run (they stay in the cache: going back restores them), with one
// line, and `flow status` lists them before. A file flow did not make, or one edited
// since flow wrote it, is never touched.
import { describe, it, expect } from "vitest";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { flow, read, runJson, toyWorkspace } from "../rig.js";
import { kindsPipeline } from "../toy-pipelines.js";

const yaml = kindsPipeline(`  kinds: { default: [x, y, z], type: array, items: { type: string } }
  width: { default: 1, type: number }`);

describe("outputs of nodes that left the graph", () => {
  it("are listed by status, removed after the run (not other files), and restored when the node comes back", async () => {
    const ws = toyWorkspace({ "pipeline.yaml": yaml });
    expect((await runJson(ws)).code).toBe(0);
    writeFileSync(join(ws, "data/notes.txt"), "mine\n"); // not flow's
    // y leaves the graph (and the width changes for the rest)
    const sets = ["--set", "kinds=[x, z]", "--set", "width=2"];
    const st = await flow(ws, "status", ...sets);
    expect(st.stdout).toContain("1 output(s) of nodes no longer in the graph; the next run removes them (the cache keeps them):");
    expect(st.stdout).toContain("data/y.txt (make[kind=y])");
    const r = await runJson(ws, ...sets);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("removed 1 output(s) of nodes no longer in the graph (still in the cache): data/y.txt");
    expect(existsSync(join(ws, "data/y.txt"))).toBe(false);
    expect(read(ws, "data/x.txt")).toBe("x 2\n");
    expect(read(ws, "data/notes.txt")).toBe("mine\n");
    expect(read(ws, "data/all.txt")).toBe("x 2\nz 2\n");
    // back to the first params: everything restored from the cache, nothing run
    const back = await runJson(ws);
    expect(back.summary.ran).toEqual([]);
    expect(read(ws, "data/y.txt")).toBe("y 1\n");
    expect(read(ws, "data/all.txt")).toBe("x 1\ny 1\nz 1\n");
  });

  it("an output edited since flow wrote it is left alone; so is a renamed output's old file once edited", async () => {
    const ws = toyWorkspace({ "pipeline.yaml": yaml });
    expect((await runJson(ws)).code).toBe(0);
    writeFileSync(join(ws, "data/y.txt"), "my own notes now\n");
    const r = await runJson(ws, "--set", "kinds=[x, z]");
    expect(r.code).toBe(0);
    expect(read(ws, "data/y.txt")).toBe("my own notes now\n");
    // an output renamed in pipeline.yaml: the old file goes when the node runs again
    writeFileSync(join(ws, "pipeline.yaml"), yaml.replace("outputs: { o: data/all.txt }", "outputs: { o: data/everything.txt }"));
    const renamed = await runJson(ws, "--set", "kinds=[x, z]");
    expect(renamed.code).toBe(0);
    expect(existsSync(join(ws, "data/all.txt"))).toBe(false);
    expect(read(ws, "data/everything.txt")).toBe("x 1\nz 1\n");
  });
});
