// SLURM at scale: 2 000 trivial nodes through a real single-node SLURM
// cluster, submitted in groups (resources.group_size), with a cap on jobs in flight and
// one squeue call per poll. sbatch and squeue are counted by wrappers on PATH.
import { describe, it, expect } from "vitest";
import { mkdirSync, writeFileSync, readFileSync, existsSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { tempDir, FLOW } from "../rig.js";
import { fanOut } from "../../bench/graph-scale.js";

const probe = await execa("sinfo", ["-h", "-o", "%T"], { reject: false });
const available = !!process.env.FLOW_TEST_SLURM && probe.exitCode === 0;
if (!available) console.warn("SKIPPED SLURM scale test: no SLURM cluster here (.ci/run starts one with test/services/slurm-start.sh)");

/** A folder of wrappers that count their calls in <dir>/<name>.count, then run the real tool. */
async function countingPath(dir: string, tools: string[]) {
  mkdirSync(dir, { recursive: true });
  for (const t of tools) {
    const real = (await execa("sh", ["-c", `command -v ${t}`])).stdout.trim();
    writeFileSync(join(dir, t), `#!/bin/sh\necho x >> ${join(dir, `${t}.count`)}\nexec ${real} "$@"\n`);
    chmodSync(join(dir, t), 0o755);
  }
  return (t: string) =>
    existsSync(join(dir, `${t}.count`))
      ? readFileSync(join(dir, `${t}.count`), "utf8")
          .split("\n")
          .filter(Boolean).length
      : 0;
}

describe.skipIf(!available)("SLURM at scale", () => {
  it("2 000 trivial nodes run in groups: far fewer sbatch calls, jobs in flight capped, one squeue per poll", async () => {
    const ws = tempDir();
    const n = 2000;
    writeFileSync(
      join(ws, "pipeline.yaml"),
      fanOut(n).replace('    outputs: { o: "out/a/${id}.txt" }', '    outputs: { o: "out/a/${id}.txt" }\n    resources: { group_size: 250 }'),
    );
    const count = await countingPath(join(ws, "bin"), ["sbatch", "squeue"]);
    // watch the queue from outside: never more than 2 of our jobs at once
    let most = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        // this workspace's jobs only (%Z: the job's working folder): other tests use SLURM too
        const q = await execa("squeue", ["-h", "-o", "%Z"], { reject: false });
        most = Math.max(most, q.stdout.split("\n").filter((l) => l.trim() === ws).length);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const t0 = Date.now();
    const r = await execa(process.execPath, [FLOW, "run", "--json", "--executor", "slurm", "--slurm-max-jobs", "2"], {
      cwd: ws,
      reject: false,
      env: { ...process.env, PATH: `${join(ws, "bin")}:${process.env.PATH}`, FLOW_SLURM_POLL_MS: "300" },
    });
    watching = false;
    await watcher;
    expect(r.exitCode, r.stderr.slice(-3000)).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split("\n").pop()!);
    expect(summary.ran.length).toBe(n + 1);
    expect(readFileSync(join(ws, "out/all.txt"), "utf8").trim()).toBe(String(n));
    const sbatch = count("sbatch");
    expect(sbatch).toBeLessThanOrEqual(n / 250 + 1 + 2); // 8 groups + gather (+ slack for a split group)
    expect(most).toBeLessThanOrEqual(2);
    // one squeue per poll for all jobs: bounded by the run's length, not by the number of jobs × polls
    const polls = (Date.now() - t0) / 300;
    expect(count("squeue")).toBeLessThanOrEqual(polls + 5);
    console.log(
      `SLURM scale: ${n + 1} nodes in ${((Date.now() - t0) / 1000).toFixed(1)} s, ${sbatch} sbatch, ${count("squeue")} squeue calls, at most ${most} jobs in flight`,
    );
  }, 600_000);
});
