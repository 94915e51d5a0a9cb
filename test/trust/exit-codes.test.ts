// Usage and environment problems are one line naming the file and the problem,
// with the documented exit code — never "internal error" (70).
import { describe, it, expect } from "vitest";
import { writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { toyWorkspace, flow } from "../rig.js";

describe("documented exit codes", () => {
  it("0 ok, 1 a task failed, 2 usage", async () => {
    const ws = toyWorkspace();
    expect((await flow(ws, "run")).code).toBe(0);
    const bad = toyWorkspace({ "tasks/upper.ts": "export default { run() { throw new Error('boom'); } };\n" });
    expect((await flow(bad, "run")).code).toBe(1);
    const usage = await flow(ws, "run", "--frobnicate");
    expect(usage.code).toBe(2);
    expect(usage.stderr.trim()).toBe("flow: unknown option '--frobnicate'");
  });

  it("3: .flow is not a folder", async () => {
    const ws = toyWorkspace();
    writeFileSync(join(ws, ".flow"), "oops");
    const r = await flow(ws, "run");
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toMatch(
      new RegExp(`^flow: ${join(ws, ".flow")}[^ ]*: cannot \\w+: (already exists \\(EEXIST\\)|a parent is not a directory \\(ENOTDIR\\))$`),
    );
  });

  it("2: a YAML alias bomb is refused as a pipeline error, quickly", async () => {
    const lines = ["version: 1", "a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 12; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(", ")}]`,
      );
    lines.push("tasks: { t: { run: { argv: [/bin/true] }, outputs: { o: x } } }");
    const ws = toyWorkspace({ "pipeline.yaml": lines.join("\n") + "\n" });
    const t0 = Date.now();
    const r = await flow(ws, "status");
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^flow: pipeline\.yaml: .*alias/i);
  });

  it("an unreadable pipeline (a folder where the file should be) is one line", async () => {
    const ws = toyWorkspace();
    rmSync(join(ws, "pipeline.yaml"));
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(ws, "pipeline.yaml"));
    const r = await flow(ws, "status");
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("flow: pipeline.yaml: cannot read (EISDIR)");
  });
});
