import { describe, it, expect } from "vitest";
import { toyWorkspace, runJson, write, statusJson } from "../rig.js";

// `len` writes only the length of its input: changing the text but not its length
// re-runs `len` and gives identical bytes, so `report` must stay up to date.
const files = {
  "tasks/len.ts": `import { readFileSync, writeFileSync } from "node:fs";
export default { run(ctx: any) { writeFileSync(ctx.outputs.out, String(readFileSync(ctx.inputs.src, "utf8").length)); } };
`,
  "pipeline.yaml": `version: 1
tasks:
  len:
    run: { module: tasks/len.ts }
    inputs: { src: in/a.txt }
    outputs: { out: out/len.txt }
  report:
    run: { argv: [cp, "\${in.len}", "\${out.r}"] }
    inputs: { len: out/len.txt }
    outputs: { r: out/report.txt }
`,
};

describe("early cutoff", () => {
  it("a node that re-runs and writes identical bytes does not make its dependents stale", async () => {
    const ws = toyWorkspace(files);
    expect((await runJson(ws)).summary.ran).toEqual(["len", "report"]);
    write(ws, { "in/a.txt": "omega\n" }); // same length as "alpha\n"
    const st = await statusJson(ws);
    expect(st.find((n) => n.id === "len")!.reasons).toEqual(["input file changed: in/a.txt"]);
    const r = await runJson(ws);
    expect(r.summary.ran).toEqual(["len"]);
    expect(r.summary.upToDate).toEqual(["report"]);
    write(ws, { "in/a.txt": "longer text\n" });
    expect((await runJson(ws)).summary.ran).toEqual(["len", "report"]);
  });
});
