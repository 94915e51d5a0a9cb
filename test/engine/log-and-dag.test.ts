import { describe, it, expect } from "vitest";
import { hostname } from "node:os";
import { createHash } from "node:crypto";
import { toyWorkspace, runJson, flow } from "../rig.js";

describe("provenance and graph", () => {
  it("flow log shows what each executed node read and wrote, with hashes", async () => {
    const ws = toyWorkspace();
    await runJson(ws);
    const r = await flow(ws, "log", "name=a", "--json");
    const recs = JSON.parse(r.stdout);
    expect(recs).toHaveLength(1);
    const rec = recs[0];
    expect(rec).toMatchObject({
      node: "upper[name=a]",
      task: "upper",
      vars: { name: "a" },
      params: { suffix: "!" },
      host: hostname(),
      status: "ok",
      flowVersion: "0.1.0",
    });
    expect(rec.key).toMatch(/^[0-9a-f]{64}$/);
    expect(rec.code.files).toEqual(["tasks/upper.ts"]);
    expect(rec.inputs).toEqual([{ name: "src", path: "in/a.txt", hash: createHash("sha256").update("alpha\n").digest("hex") }]);
    expect(rec.outputs).toEqual([{ name: "out", path: "out/a.up", hash: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(Date.parse(rec.end)).toBeGreaterThanOrEqual(Date.parse(rec.start));
  });

  it("flow dag prints DOT and Mermaid", async () => {
    const ws = toyWorkspace();
    const dot = await flow(ws, "dag");
    expect(dot.stdout).toContain("digraph flow");
    expect(dot.stdout).toContain('n0 [label="upper[name=a]"]');
    expect(dot.stdout).toContain("n0 -> n2;");
    const mm = await flow(ws, "dag", "--format", "mermaid", "--tasks");
    expect(mm.stdout).toBe('flowchart LR\n  n0["upper"]\n  n1["concat"]\n  n0 --> n1');
  });

  it("every command has --help", async () => {
    const ws = toyWorkspace();
    for (const c of ["run", "status", "invalidate", "log", "dag", "gc"]) {
      const r = await flow(ws, c, "--help");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`flow ${c}`);
    }
  });
});
