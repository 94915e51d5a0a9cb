// Benchmark 3: the no-op at dataset scale — 58 small sessions of both types. After one
// full run: `flow status` and `flow run` with nothing to do; then one session's NWB is
// replaced by different content and we time status and the re-run, and list what ran.
// Baseline in the same process: `flow --version` (Node start-up plus the CLI).
import { join } from "node:path";
import { copyFileSync, renameSync } from "node:fs";
import { workspace, flow, ensureCache, table, s, REPO, WORK } from "./lib.js";
import { buildSession } from "../tasks/synth/session.js";
import { writeSessionNwb } from "../tasks/synth/write-nwb.js";
import { cacheSpecs } from "../tasks/synth/cache.js";

export async function noop() {
  console.log("\n# 3. No-op at dataset scale (58 sessions)");
  const cache = await ensureCache("many_cache", "many", 58);
  const ws = workspace("many_ws");
  const set = ["--set", `allen_cache=${cache}`];
  const cold = await flow(ws, "run", ...set, "--jobs", "2", "--json");
  const nodes = JSON.parse(cold.stdout.trim().split("\n").pop()!).ran.length;
  const base = await flow(REPO, "--version");
  const status = await flow(ws, "status", ...set);
  const run = await flow(ws, "run", ...set, "--json");
  const noopRan = JSON.parse(run.stdout.trim().split("\n").pop()!).ran.length;

  // replace one session's file with different content (another seed, same id)
  const spec = { ...cacheSpecs("many", 1, 58)[5]!, seed: 999 };
  const path = join(cache, `session_${spec.id}`, `session_${spec.id}.nwb`);
  copyFileSync(path, join(WORK, "many_backup.nwb"));
  await writeSessionNwb(`${path}.new`, buildSession(spec));
  renameSync(`${path}.new`, path);
  try {
    const st2 = await flow(ws, "status", ...set);
    const rerun = await flow(ws, "run", ...set, "--json", "--jobs", "2");
    const ran: string[] = JSON.parse(rerun.stdout.trim().split("\n").pop()!).ran;
    const foreign = ran.filter((id) => /session=/.test(id) && !id.includes(`session=${spec.id}`));
    table([
      ["nodes", String(nodes)],
      ["cold run", s(cold.ms)],
      ["baseline: flow --version", s(base.ms)],
      ["flow status, nothing changed", `${s(status.ms)} (${(status.ms / base.ms).toFixed(1)}× baseline)`, "≤ 1 s"],
      ["flow run, nothing to do", `${s(run.ms)} (${(run.ms / base.ms).toFixed(1)}× baseline), ran ${noopRan}`, "≤ 1 s"],
      ["flow status after one NWB changed", s(st2.ms)],
      [
        "re-run after one NWB changed",
        `${s(rerun.ms)}, ran ${ran.length} nodes, of other sessions: ${foreign.length}`,
        "only that session + gathered",
      ],
    ]);
    return { statusMs: status.ms, runMs: run.ms, foreign: foreign.length };
  } finally {
    copyFileSync(join(WORK, "many_backup.nwb"), path);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await noop();
