// Benchmark 4: the embedded example, cold and no-op. Baseline: `flow --version`.
import { workspace, flow, table, s, REPO } from "./lib.js";
import { rmSync } from "node:fs";
import { join } from "node:path";

export async function example() {
  console.log("\n# 4. The embedded example");
  const ws = workspace("example_ws");
  rmSync(join(ws, "examples"), { recursive: true, force: true });
  const cold = await flow(ws, "run", "--json");
  const ran = (JSON.parse(cold.stdout.trim().split("\n").pop() ?? "{}") as { ran?: string[] }).ran?.length ?? 0;
  const noop = await flow(ws, "run");
  const base = await flow(REPO, "--version");
  table([
    [`cold (generates the example, then runs ${ran} nodes)`, s(cold.ms), "≤ 60 s"],
    ["no-op", `${s(noop.ms)} (${(noop.ms / base.ms).toFixed(1)}× baseline)`, "≤ 2 s"],
    ["baseline: flow --version", s(base.ms)],
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) await example();
