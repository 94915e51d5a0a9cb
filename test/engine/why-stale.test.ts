// A node downstream of many changed nodes states the root cause once, with a count —
// not one "upstream X" line per node (a gather over 58 sessions said 41 724 characters).
import { describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { flow, runJson, statusJson, tempDir, write } from "../rig.js";

function workspace(n: number, gatherTakes = "") {
  const dir = tempDir();
  const files: Record<string, string> = {
    "pipeline.yaml": `version: 1
params:
  width: { default: 1, type: number }
  other: { default: a, type: string }
sets:
  i: { values: [${Array.from({ length: n }, (_, k) => k).join(", ")}] }
tasks:
  raw:
    run: { argv: [/bin/sh, -c, 'cp "$1" "$0"', "\${out.o}", "\${in.src}"] }
    foreach: [i]
    inputs: { src: "in/\${i}.txt" }
    outputs: { o: "out/raw/\${i}.txt" }
  bin:
    run: { argv: [/bin/sh, -c, 'echo "$2" | cat "$1" - > "$0"', "\${out.o}", "\${in.src}", "\${width}"] }
    foreach: [i]
    params: [width]
    inputs: { src: "out/raw/\${i}.txt" }
    outputs: { o: "out/bin/\${i}.txt" }
  gather:
    run: { argv: [/bin/sh, -c, 'cat "$@" > "$0"', "\${out.o}", "\${in.all}"] }
    params: [${gatherTakes}]
    inputs: { all: { from: bin, output: o } }
    outputs: { o: out/all.txt }
  report:
    run: { argv: [/bin/sh, -c, 'cp "$1" "$0"', "\${out.o}", "\${in.g}"] }
    inputs: { g: out/all.txt }
    outputs: { o: out/report.txt }
`,
  };
  for (let k = 0; k < n; k++) files[`in/${k}.txt`] = `${k}\n`;
  write(dir, files);
  return dir;
}

const reasons = async (dir: string, id: string, ...args: string[]) => (await statusJson(dir, ...args)).find((x) => x.id === id)!.reasons;

describe("why a node is stale: the root cause, once", () => {
  it("a param change upstream is one line with the number of nodes it affects, two levels down too", async () => {
    const dir = workspace(40);
    expect((await runJson(dir)).code).toBe(0);
    expect(await reasons(dir, "bin[i=3]", "--set", "width=2")).toEqual(["param width changed (1 → 2)"]);
    expect(await reasons(dir, "gather", "--set", "width=2")).toEqual(["upstream: param width changed (1 → 2) in 40 nodes"]);
    expect(await reasons(dir, "report", "--set", "width=2")).toEqual(["upstream: param width changed (1 → 2) in 40 nodes"]);
  });

  it("distinct causes are listed by how widespread they are; a single node is named", async () => {
    const dir = workspace(12);
    expect((await runJson(dir)).code).toBe(0);
    write(dir, { "in/5.txt": "changed\n" });
    rmSync(join(dir, "in/7.txt"));
    const r = await reasons(dir, "gather", "--set", "width=2");
    expect(r).toEqual([
      "upstream: param width changed (1 → 2) in 12 nodes",
      "upstream raw[i=5]: input file changed: in/5.txt",
      "upstream raw[i=7]: input file missing: in/7.txt",
    ]);
    expect(JSON.stringify(r).length).toBeLessThan(200);
  });

  it("a node with the cause itself counts only its upstreams where it arises; below it, it is one of them", async () => {
    const dir = workspace(6, "width");
    expect((await runJson(dir)).code).toBe(0);
    expect(await reasons(dir, "gather", "--set", "width=2")).toEqual([
      "param width changed (1 → 2)",
      "upstream: param width changed (1 → 2) in 6 nodes",
    ]);
    expect(await reasons(dir, "report", "--set", "width=2")).toEqual(["upstream: param width changed (1 → 2) in 7 nodes"]);
  });

  it("never-run upstreams are counted, not listed", async () => {
    const dir = workspace(500);
    expect(await reasons(dir, "report")).toEqual(["upstream: never run in 500 nodes"]); // the raw ones: bin and gather only wait for them
  });

  it("run --dry-run gives the same root cause", async () => {
    const dir = workspace(8);
    expect((await runJson(dir)).code).toBe(0);
    const r = await flow(dir, "run", "--dry-run", "--set", "width=3");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/would run +gather +\(upstream: param width changed \(1 → 3\) in 8 nodes\)/);
    expect(r.stdout).toMatch(/would run +report +\(upstream: param width changed \(1 → 3\) in 8 nodes\)/);
  });
});
