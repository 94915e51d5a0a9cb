// Graph scale: no recursion depth or argument-count limit anywhere. The graph
// module is checked in-process at full size (a chain of 100 000, a fan-in of 200 000);
// the whole CLI path (load, expand, plan, status, invalidate, dag) on a chain longer than
// the default stack allows.
import { describe, it, expect } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Dag } from "../../engine/graph/dag.js";
import { tempDir, flow } from "../rig.js";
import { chain } from "../../bench/graph-scale.js";

describe("graph algorithms at 10⁵ nodes", () => {
  it("a chain of 100 000: order, closures and no cycle", () => {
    const n = 100_000;
    const ids = Array.from({ length: n }, (_, i) => `t${i}`);
    const deps = new Map(ids.map((id, i) => [id, i ? [`t${i - 1}`] : []]));
    const dag = new Dag(ids, deps);
    expect(dag.findCycle()).toBeUndefined();
    const order = dag.topoOrder();
    expect(order.length).toBe(n);
    expect(order.every((id, i) => id === `t${i}`)).toBe(true);
    expect(dag.closureDown(["t0"]).size).toBe(n);
    expect(dag.closureUp([`t${n - 1}`]).size).toBe(n);
  });

  it("a fan-in of 200 000 into one node", () => {
    const n = 200_000;
    const ids = [...Array.from({ length: n }, (_, i) => `a${i}`), "g"];
    const deps = new Map<string, string[]>([["g", ids.slice(0, n)]]);
    const dag = new Dag(ids, deps);
    expect(dag.closureUp(["g"]).size).toBe(n + 1);
    expect(dag.topoOrder().at(-1)).toBe("g");
    expect(dag.upstream("g").length).toBe(n);
  });

  it("a cycle at the end of a chain of 100 000 is found and named from its first node", () => {
    const n = 100_000;
    const ids = Array.from({ length: n }, (_, i) => `t${i}`);
    const deps = new Map(ids.map((id, i) => [id, i ? [`t${i - 1}`] : []]));
    deps.set(`t${n - 3}`, [`t${n - 4}`, `t${n - 1}`]); // t_{n-3} → t_{n-2} → t_{n-1} → t_{n-3}
    expect(new Dag(ids, deps).findCycle()).toEqual([`t${n - 3}`, `t${n - 2}`, `t${n - 1}`, `t${n - 3}`]);
  });
});

describe("the CLI on a chain longer than the default stack allows", () => {
  it("status, invalidate and dag work on a chain of 15 000 tasks", async () => {
    const ws = tempDir();
    const n = 15_000;
    writeFileSync(join(ws, "pipeline.yaml"), chain(n));
    const st = await flow(ws, "status", "--json");
    expect(st.code, st.stderr).toBe(0);
    const rows = JSON.parse(st.stdout) as { id: string; state: string }[];
    expect(rows.length).toBe(n);
    expect(rows[0]!.id).toBe("t0");
    expect(rows.at(-1)!.id).toBe(`t${n - 1}`);
    const inv = await flow(ws, "invalidate", "task=t0", "--json");
    expect(inv.code, inv.stderr).toBe(0);
    expect((JSON.parse(inv.stdout) as { invalidated: string[] }).invalidated.length).toBe(n);
    const dag = await flow(ws, "dag", "--format", "mermaid");
    expect(dag.code, dag.stderr).toBe(0);
    expect(dag.stdout.split("\n").filter((l) => l.includes("-->")).length).toBe(n - 1);
  }, 120_000);
});
