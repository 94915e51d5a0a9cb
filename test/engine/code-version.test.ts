import { describe, it, expect } from "vitest";
import { toyWorkspace, runJson, write, read, statusJson } from "../rig.js";

const files = {
  "tasks/helper.ts": `export const tag = "v1";\n`,
  "tasks/types.ts": `export interface Nothing { x: number }\n`,
  "tasks/first.ts": `import { writeFileSync } from "node:fs";
import { tag } from "./helper.js";
import type { Nothing } from "./types.js";
export default { run(ctx: any) { const n: Nothing | undefined = undefined; void n; writeFileSync(ctx.outputs.out, "first " + tag); } };
`,
  "tasks/second.ts": `import { writeFileSync } from "node:fs";
export default { run(ctx: any) { writeFileSync(ctx.outputs.out, "second"); } };
`,
  "pipeline.yaml": `version: 1
tasks:
  first:
    run: { module: tasks/first.ts }
    outputs: { out: out/first.txt }
  second:
    run: { module: tasks/second.ts }
    outputs: { out: out/second.txt }
`,
};

describe("task code version", () => {
  it("editing a task's module (or a helper it imports) makes exactly its nodes stale", async () => {
    const ws = toyWorkspace(files);
    await runJson(ws);
    write(ws, { "tasks/second.ts": files["tasks/second.ts"].replace('"second"', '"second, edited"') });
    const st = await statusJson(ws);
    expect(st.find((n) => n.id === "second")).toMatchObject({ state: "stale", reasons: ["task code changed: tasks/second.ts"] });
    expect(st.find((n) => n.id === "first")!.state).toBe("up-to-date");
    expect((await runJson(ws)).summary.ran).toEqual(["second"]);
    expect(read(ws, "out/second.txt")).toBe("second, edited");

    write(ws, { "tasks/helper.ts": `export const tag = "v2";\n` });
    expect((await statusJson(ws)).find((n) => n.id === "first")!.reasons).toEqual(["task code changed: tasks/helper.ts"]); // the helper, not the module
    expect((await runJson(ws)).summary.ran).toEqual(["first"]);
    expect(read(ws, "out/first.txt")).toBe("first v2");
  });

  it("editing a comment or reformatting a task leaves its nodes up to date; editing its code does not", async () => {
    const ws = toyWorkspace(files);
    await runJson(ws);
    // comments, blank lines, indentation and a type annotation: no code changes
    write(ws, {
      "tasks/helper.ts": `// the tag every first output carries\n\nexport   const tag: string =\n    "v1"; /* same value */\n`,
      "tasks/second.ts": files["tasks/second.ts"].replace("export default", "// the second task\nexport  default"),
    });
    const st = await statusJson(ws);
    expect(st.map((n) => [n.id, n.state])).toEqual([
      ["first", "up-to-date"],
      ["second", "up-to-date"],
    ]);
    expect((await runJson(ws)).summary.ran).toEqual([]);
    write(ws, { "tasks/helper.ts": `// the tag every first output carries\nexport const tag: string = "v1".toUpperCase();\n` });
    expect((await statusJson(ws)).find((n) => n.id === "first")).toMatchObject({ state: "stale", reasons: ["task code changed: tasks/helper.ts"] });
  });

  it("a type-only import carries no code", async () => {
    const ws = toyWorkspace(files);
    await runJson(ws);
    write(ws, { "tasks/types.ts": `export interface Nothing { x: number; y?: string }\n` });
    expect((await runJson(ws)).summary.ran).toEqual([]);
  });

  it("the engine's task API is not part of a task's code (editing the engine does not make every node stale)", async () => {
    const { pipelineWorkspace } = await import("../rig.js");
    const { CodeVersions } = await import("../../engine/hash/code-version.js");
    const ws = pipelineWorkspace(); // engine/ reached through a symlink, as in a workspace
    const v = new CodeVersions(ws).of({ module: "tasks/steps/units.ts" });
    expect(v.files.some((f) => f.startsWith("tasks/formats/nwb/"))).toBe(true); // its own helpers are in
    expect(v.files.filter((f) => f.startsWith("engine/"))).toEqual([]);
  });

  it("the closure is the real import graph (esbuild's metafile): re-exports count, an import named in a comment or a string does not", async () => {
    const ws = toyWorkspace({
      ...files,
      "tasks/lib/index.ts": `export * from "./deep.js";\n`,
      "tasks/lib/deep.ts": `export const word = "deep";\n`,
      "tasks/unrelated.ts": `export const x = 1;\n`,
      "tasks/second.ts": `import { writeFileSync } from "node:fs";
import { word } from "./lib/index.js";
// this comment mentions import "./unrelated.js", which is not an import
const text = 'import "./unrelated.js"';
export default { run(ctx: any) { writeFileSync(ctx.outputs.out, "second " + word + text.length); } };
`,
    });
    await runJson(ws);
    write(ws, { "tasks/unrelated.ts": `export const x = 2;\n` });
    expect((await statusJson(ws)).map((n) => [n.id, n.state])).toEqual([
      ["first", "up-to-date"],
      ["second", "up-to-date"],
    ]);
    write(ws, { "tasks/lib/deep.ts": `export const word = "deeper";\n` });
    expect((await statusJson(ws)).find((n) => n.id === "second")).toMatchObject({
      state: "stale",
      reasons: ["task code changed: tasks/lib/deep.ts"],
    });
    expect((await runJson(ws)).summary.ran).toEqual(["second"]);
    expect(read(ws, "out/second.txt")).toBe("second deeper23");
  });

  it("a module whose import is missing gets that file into its closure once it exists (a failed build is not cached)", async () => {
    const ws = toyWorkspace({
      ...files,
      "tasks/second.ts": `import { writeFileSync } from "node:fs";
import { word } from "./later.js";
export default { run(ctx: any) { writeFileSync(ctx.outputs.out, "second " + word); } };
`,
    });
    expect((await runJson(ws, "--keep-going")).summary.failed.map((f) => f.id)).toEqual(["second"]);
    write(ws, { "tasks/later.ts": `export const word = "now";\n` });
    expect((await runJson(ws)).summary.ran).toEqual(["second"]);
    expect(read(ws, "out/second.txt")).toBe("second now");
    write(ws, { "tasks/later.ts": `export const word = "changed";\n` });
    expect((await statusJson(ws)).find((n) => n.id === "second")).toMatchObject({ state: "stale", reasons: ["task code changed: tasks/later.ts"] });
  });
});
