// Data locality: a worker keeps what its last task read (the Allen bin step memoises a
// session's spike times, ~2 s to read), so nodes that read the same input file go to the
// same worker, and two workers start on nodes that share no input. Each node here writes
// the pid of the worker that ran it.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { toyWorkspace, runJson } from "../rig.js";

const ITEMS = 6;

describe("data locality", () => {
  it("the nodes that read one file run in one worker; two files go to two workers", async () => {
    const ws = toyWorkspace({
      "in/a.txt": "alpha\n",
      "in/b.txt": "beta\n",
      "tasks/pid.ts": `import { writeFileSync } from "node:fs";
export default { run(ctx: any) {
  const until = Date.now() + 150; while (Date.now() < until); // the same length for every node
  writeFileSync(ctx.outputs.out, String(process.pid));
} };
`,
      // session-major node order: the oldest-first order alone would give both workers
      // the nodes of a, then both the nodes of b
      "pipeline.yaml": `version: 1
params:
  items: { default: [${Array.from({ length: ITEMS }, (_, i) => i + 1).join(", ")}] }
sets:
  session: { glob: "in/{session}.txt" }
  item: { param: items }
tasks:
  work:
    run: { module: tasks/pid.ts }
    foreach: [session, item]
    inputs: { src: "in/\${session}.txt" }
    outputs: { out: "out/\${session}-\${item}.pid" }
`,
    });
    const r = await runJson(ws, "--jobs", "2");
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary.ran.length).toBe(2 * ITEMS);
    const pids = (s: string) => Array.from({ length: ITEMS }, (_, i) => readFileSync(join(ws, `out/${s}-${i + 1}.pid`), "utf8"));
    const mostCommon = (xs: string[]) => {
      const n = new Map<string, number>();
      for (const x of xs) n.set(x, (n.get(x) ?? 0) + 1);
      return [...n].sort((x, y) => y[1] - x[1])[0]!;
    };
    const [wa, na] = mostCommon(pids("a"));
    const [wb, nb] = mostCommon(pids("b"));
    expect(wa).not.toBe(wb);
    // at most the last node of one file may go to the other worker rather than wait
    expect(na).toBeGreaterThanOrEqual(ITEMS - 1);
    expect(nb).toBeGreaterThanOrEqual(ITEMS - 1);
  });
});
