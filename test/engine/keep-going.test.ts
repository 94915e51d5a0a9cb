import { describe, it, expect } from "vitest";
import { toyWorkspace, runJson, write } from "../rig.js";

const files = {
  "tasks/maybe.ts": `import { readFileSync, writeFileSync } from "node:fs";
export default { run(ctx: any) {
  const t = readFileSync(ctx.inputs.src, "utf8");
  if (t.includes("boom")) throw Object.assign(new Error(ctx.inputs.src + ": contains boom"), { expected: true });
  if (t.includes("crash")) process.exit(9);
  writeFileSync(ctx.outputs.out, t.toUpperCase());
} };
`,
  "pipeline.yaml": `version: 1
sets:
  name: { glob: "in/{name}.txt" }
tasks:
  upper:
    run: { module: tasks/maybe.ts }
    foreach: [name]
    inputs: { src: "in/\${name}.txt" }
    outputs: { out: "out/\${name}.up" }
  concat:
    run: { argv: ["/bin/sh", "-c", "cat \\"$@\\" > \\"$0\\"", "\${out.all}", "\${in.parts}"] }
    inputs: { parts: { from: upper, output: out } }
    outputs: { all: "out/all.txt" }
  single:
    run: { argv: [cp, "\${in.src}", "\${out.o}"] }
    inputs: { src: out/b.up }
    outputs: { o: out/single.txt }
`,
};

describe("a failing node", () => {
  it("with --keep-going, everything that does not depend on it completes and is cached", async () => {
    const ws = toyWorkspace({ ...files, "in/a.txt": "boom\n", "in/c.txt": "gamma\n" });
    const r = await runJson(ws, "--keep-going", "--jobs", "1");
    expect(r.code).toBe(1);
    expect(r.summary.failed).toEqual([{ id: "upper[name=a]", error: expect.stringContaining("in/a.txt: contains boom") }]);
    expect(r.summary.ran.sort()).toEqual(["single", "upper[name=b]", "upper[name=c]"]);
    expect(r.summary.skipped).toEqual(["concat"]);
    // after the fix only the failed node and its dependents run
    write(ws, { "in/a.txt": "alpha\n" });
    const fixed = await runJson(ws);
    expect(fixed.code).toBe(0);
    expect(fixed.summary.ran.sort()).toEqual(["concat", "upper[name=a]"]);
  });

  it("without --keep-going the run stops starting new nodes", async () => {
    const ws = toyWorkspace({ ...files, "in/a.txt": "boom\n" });
    const r = await runJson(ws, "--jobs", "1");
    expect(r.code).toBe(1);
    expect(r.summary.failed.map((f) => f.id)).toEqual(["upper[name=a]"]);
    expect(r.summary.ran).toEqual([]);
  });

  it("a worker that dies fails its node only", async () => {
    const ws = toyWorkspace({ ...files, "in/a.txt": "crash\n" });
    const r = await runJson(ws, "--keep-going");
    expect(r.summary.failed).toEqual([{ id: "upper[name=a]", error: "worker process died (exit code 9)" }]);
    expect(r.summary.ran.sort()).toEqual(["single", "upper[name=b]"]);
  });
});

describe("the worker pool", () => {
  it("a worker that died while idle is replaced, not handed the next job", async () => {
    const { LocalExecutor } = await import("../../engine/exec/local.js");
    const { write, tempDir, alive } = await import("../rig.js");
    const dir = tempDir();
    write(dir, {
      "t.ts": `import { writeFileSync } from "node:fs";\nexport default { run(ctx: any) { writeFileSync(ctx.outputs.o, String(process.pid)); } };\n`,
    });
    const ex = new LocalExecutor();
    const job = (o: string) => ({
      node: "n",
      key: "k",
      run: { module: "t.ts" },
      root: dir,
      params: {},
      inputs: {},
      inputHashes: {},
      outputs: { o: `${dir}/${o}` },
    });
    try {
      expect((await ex.execute(job("a"), () => {})).ok).toBe(true);
      const { readFileSync } = await import("node:fs");
      const pid = Number(readFileSync(`${dir}/a`, "utf8"));
      process.kill(pid, "SIGKILL");
      while (alive(pid)) await new Promise((r) => setTimeout(r, 10)); // gone (the pool learns it from its exit)
      expect(await ex.execute(job("b"), () => {})).toMatchObject({ ok: true }); // (a hang fails the test by its timeout)
      expect(Number(readFileSync(`${dir}/b`, "utf8"))).not.toBe(pid);
    } finally {
      await ex.close();
    }
  });
});
