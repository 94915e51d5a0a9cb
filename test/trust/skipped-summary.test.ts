// A failure does not drown in "skipped" lines: the failures, then one line with
// how many nodes of each task were skipped; the full list with -v and --json.
import { describe, it, expect } from "vitest";
import { toyWorkspace, flow, runJson } from "../rig.js";

const yaml = `version: 1
params: { n: [1, 2, 3, 4, 5, 6] }
sets:
  i: { param: n }
tasks:
  root:
    run: { argv: [/bin/sh, -c, 'echo broken >&2; exit 3'] }
    outputs: { o: out/root.txt }
  per:
    run: { argv: [/bin/cp, "\${in.r}", "\${out.o}"] }
    foreach: [i]
    inputs: { r: out/root.txt }
    outputs: { o: "out/\${i}.txt" }
  gather:
    run: { argv: [/bin/sh, -c, 'cat "$@" > "$0"', "\${out.o}", "\${in.all}"] }
    inputs: { all: { from: per, output: o } }
    outputs: { o: out/all.txt }
`;

describe("a failure and what it skipped", () => {
  it("prints the failure once and the skipped nodes as one count per task", async () => {
    const ws = toyWorkspace({ "pipeline.yaml": yaml });
    const r = await flow(ws, "run");
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^\d\d:\d\d:\d\d \[1\/8\] ✘ root: \/bin\/sh failed \(exit code 3\): broken$/),
    ]);
    expect(r.stdout.trim().split("\n").slice(-2)).toEqual([
      "skipped because of the failure: per ×6, gather ×1 (-v lists them)",
      expect.stringMatching(/^0 ran, 0 restored, 0 up to date, 1 failed, 7 skipped in \d+\.\d s$/),
    ]);
    const v = await flow(ws, "run", "-v");
    expect(v.stderr.split("\n").filter((l) => l.startsWith("- ")).length).toBe(7);
    const j = await runJson(ws);
    expect(j.summary.skipped.length).toBe(7);
  });
});
