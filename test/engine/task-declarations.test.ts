// defineTask declares a task's inputs, outputs and params: checked against the node
// pipeline.yaml gives it before the task runs, and used to type ctx (no casts).
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parse } from "yaml";
import { REPO, flow, toyWorkspace } from "../rig.js";
import type { TaskModule } from "../../engine/api/task.js";

describe("task declarations", () => {
  it("every task module of pipeline.yaml declares exactly the names the pipeline gives it", async () => {
    const spec = parse(readFileSync(join(REPO, "pipeline.yaml"), "utf8"));
    let checked = 0;
    for (const [id, t] of Object.entries(spec.tasks) as [
      string,
      { run: { module?: string }; inputs?: Record<string, unknown>; outputs?: Record<string, unknown>; params?: string[]; foreach?: string[] },
    ][]) {
      if (!t.run.module) continue;
      const mod = (await import(pathToFileURL(join(REPO, t.run.module)).href)).default as TaskModule;
      const d = mod.declared!;
      expect(d, `${t.run.module} declares nothing`).toBeDefined();
      const inKind = (v: unknown) => (typeof v === "string" ? "file" : "files");
      const outKind = (v: unknown) => (typeof v === "string" ? "file" : "files");
      expect(d.inputs ?? {}, `${id} inputs`).toEqual(Object.fromEntries(Object.entries(t.inputs ?? {}).map(([k, v]) => [k, inKind(v)])));
      expect(d.outputs ?? {}, `${id} outputs`).toEqual(Object.fromEntries(Object.entries(t.outputs ?? {}).map(([k, v]) => [k, outKind(v)])));
      const given = new Set([...(t.params ?? []).map((p) => p.split("=")[0]!), ...(t.foreach ?? [])]);
      for (const p of Object.keys(d.params ?? {})) expect(given.has(p), `${id}: declared param ${p}`).toBe(true);
      checked++;
    }
    expect(checked).toBe(11); // every TypeScript task of pipeline.yaml
  });

  it("a node that does not match its module's declaration fails before the task runs, naming both", async () => {
    const ws = toyWorkspace({
      "tasks/upper.ts": `import { writeFileSync } from "node:fs";
import { defineTask } from "#flow/task";
export default defineTask({
  inputs: { source: "file" },
  outputs: { out: "file" },
  params: ["suffix", "width"],
  run(ctx) { writeFileSync(ctx.outputs.out, "never"); },
});
`,
    });
    const r = await flow(ws, "run");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "tasks/upper.ts does not match pipeline.yaml: input 'source' is declared but pipeline.yaml gives none; pipeline.yaml gives input 'src', which the task does not declare; param 'width' is declared but the node has none (list it under the task's params:)",
    );
  });
});
