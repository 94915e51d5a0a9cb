// The SLURM executor against a real single-node SLURM cluster (slurm-wlm), which .ci/run
// starts with test/services/slurm-start.sh. Without it these tests are skipped.
import { describe, it, expect, inject } from "vitest";
import { join } from "node:path";
import { chmodSync, realpathSync, writeFileSync, readdirSync } from "node:fs";
import { execa } from "execa";
import { toyWorkspace, runJson, pipelineWorkspace, FLOW, read, tempDir } from "../rig.js";
import { hashTree } from "../../bench/lib.js";

const probe = await execa("sinfo", ["-h", "-o", "%T"], { reject: false });
const available = !!process.env.FLOW_TEST_SLURM && probe.exitCode === 0;
if (!available) console.warn("SKIPPED SLURM tests: no SLURM cluster here (.ci/run starts one with test/services/slurm-start.sh)");

const env = { ...process.env, FLOW_SLURM_POLL_MS: "300" };
const slowTask = (seconds: number) => ({
  "tasks/upper.ts": `import { readFileSync, writeFileSync } from "node:fs";
export default { async run(ctx: any) { await new Promise((r) => setTimeout(r, ${seconds * 1000})); writeFileSync(ctx.outputs.out, readFileSync(ctx.inputs.src, "utf8").toUpperCase() + ctx.params.suffix); } };
`,
});

// The jobs of one workspace only (their WorkDir): other test files use the same cluster at the
// same time, and a test that cancelled "the running flow job" once cancelled another file's.
async function flowJobs(ws: string): Promise<{ id: string; name: string; state: string }[]> {
  const r = await execa("scontrol", ["show", "jobs", "-o"], { reject: false });
  return r.stdout
    .split("\n")
    .filter((l) => l.includes("JobId=") && / WorkDir=(\S+)/.exec(l)?.[1] === realpathSync(ws))
    .map((l) => ({
      id: /JobId=(\d+)/.exec(l)![1]!,
      name: /JobName=(\S+)/.exec(l)?.[1] ?? "",
      state: /JobState=(\w+)/.exec(l)?.[1] ?? "",
    }));
}

async function until<T>(f: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(!available)("SLURM executor", () => {
  it("runs the embedded example through SLURM, byte-identical to the local executor (every per-item task in groups of ten)", async () => {
    const ws = pipelineWorkspace();
    // every per-item task in groups of ten: 14 jobs instead of 79 (a job costs ~1.5 s of
    // start-up here), and the grouping is exercised on the real pipeline; resources are
    // not part of any key
    const yaml = read(ws, "pipeline.yaml");
    const grouped = yaml.replace(/(\n    foreach: [^\n]*\n)/g, "$1    resources: { group_size: 10 }\n");
    // presentations, units, clean, bin, stimulus_file, subset, stimulus_figures
    expect(grouped.match(/group_size: 10/g)).toHaveLength(7);
    writeFileSync(join(ws, "pipeline.yaml"), grouped);
    const r = await execa(
      process.execPath,
      [FLOW, "run", "--json", "--executor", "slurm", "--jobs", "4", "--set", `allen_cache=${inject("exampleCache")}`],
      { cwd: ws, env, reject: false },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split("\n").pop()!);
    expect(summary.ran.length).toBe(79);
    expect(hashTree(join(ws, "data"))).toEqual(hashTree(join(inject("exampleWorkspace"), "data")));
    const scripts = readdirSync(join(ws, ".flow/slurm")).filter((f) => f.endsWith(".sh"));
    expect(scripts.length).toBeLessThan(20);
  }, 600_000);

  it("the run history, the trace and each task's output are kept for SLURM runs too", async () => {
    const ws = toyWorkspace({
      "tasks/upper.ts": `import { readFileSync, writeFileSync } from "node:fs";
export default { run(ctx: any) { console.log("printed in a SLURM job by " + ctx.node); ctx.log("logged"); writeFileSync(ctx.outputs.out, readFileSync(ctx.inputs.src, "utf8").toUpperCase()); } };
`,
    });
    const r = await execa(process.execPath, [FLOW, "run", "--executor", "slurm", "--trace", "t.tsv"], { cwd: ws, env, reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const runs = JSON.parse((await execa(process.execPath, [FLOW, "log", "--runs", "--json"], { cwd: ws })).stdout);
    expect(runs.length).toBe(1);
    expect(runs[0]).toMatchObject({ executor: "slurm", end: { status: "ok", counts: { ran: 3 } } });
    const out = await execa(process.execPath, [FLOW, "log", "upper[name=a]", "--output"], { cwd: ws });
    expect(out.stdout).toBe("printed in a SLURM job by upper[name=a]\nlogged");
    const last = JSON.parse((await execa(process.execPath, [FLOW, "log", "--run", "last", "--json"], { cwd: ws })).stdout);
    const a = last.nodes.find((n: { id: string }) => n.id === "upper[name=a]");
    expect(a.jobId).toMatch(/^\d+$/);
    expect(a.lane).toBe(`slurm ${a.jobId}`);
    expect(a.cpuMs).toBeGreaterThanOrEqual(0); // measured inside the job, by its worker
    expect(a.maxRssMb).toBeGreaterThan(20);
    const trace = read(ws, "t.tsv")
      .trim()
      .split("\n")
      .map((l) => l.split("\t"));
    const row = trace.find((x) => x[0] === "upper[name=a]")!;
    expect(row[11]).toBe("slurm");
    expect(row[12]).toBe(a.jobId);
  }, 180_000);

  it("a squeue that cannot reach the controller is asked again, not read as 'every job left'; provenance comes from the head", async () => {
    // a squeue that fails its first calls as when slurmctld restarts, then is the real one
    const shim = tempDir("flow-squeue-");
    const real = (await execa("sh", ["-c", "command -v squeue"])).stdout.trim();
    writeFileSync(
      join(shim, "squeue"),
      `#!/bin/sh\nn=$(cat "${shim}/n" 2>/dev/null || echo 0); echo $((n+1)) > "${shim}/n"\nif [ "$n" -lt 4 ] && [ "$1" = "-h" ] && [ "$2" = "-j" ]; then echo "slurm_load_jobs error: Unable to contact slurm controller (connect failure)" >&2; exit 1; fi\nexec ${real} "$@"\n`,
    );
    chmodSync(join(shim, "squeue"), 0o755);
    const ws = toyWorkspace(slowTask(2));
    const r = await execa(process.execPath, [FLOW, "run", "--json", "--executor", "slurm"], {
      cwd: ws,
      env: { ...env, PATH: `${shim}:${process.env.PATH}` },
      reject: false,
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain("squeue failed (slurm_load_jobs error: Unable to contact slurm controller (connect failure)); asking again");
    expect(JSON.parse(r.stdout.trim().split("\n").pop()!).ran.sort()).toEqual(["concat", "upper[name=a]", "upper[name=b]"]);
    expect(read(ws, "out/all.txt")).toBe("ALPHA\n!BETA\n!");
    // one provenance record per node, every line whole: the head appended what the jobs reported
    const recs = readdirSync(join(ws, "cache/records")).flatMap((f) =>
      read(ws, join("cache/records", f))
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l)),
    );
    expect(recs.map((x: { node: string }) => x.node).sort()).toEqual(["concat", "upper[name=a]", "upper[name=b]"]);
  }, 180_000);

  it("per-task resources become sbatch options", async () => {
    const ws = toyWorkspace({
      "pipeline.yaml": `version: 1
tasks:
  t:
    run: { argv: [/bin/sh, -c, 'sleep 3; echo ok > "$0"', "\${out.o}"] }
    outputs: { o: out/t.txt }
    resources: { memory: 100M, cpus: 1, time: "0:05:00" }
`,
    });
    const run = execa(process.execPath, [FLOW, "run", "--executor", "slurm", "--slurm-opt", "--comment=flow-test"], { cwd: ws, env, reject: false });
    const job = await until(async () => (await flowJobs(ws)).find((j) => j.state === "RUNNING" && j.name.startsWith("flow-")));
    const show = (await execa("scontrol", ["show", "job", job.id])).stdout;
    expect(show).toMatch(/MinMemoryNode=100M/);
    expect(show).toMatch(/TimeLimit=00:05:00/);
    expect(show).toMatch(/Comment=flow-test/);
    expect((await run).exitCode).toBe(0);
    expect(read(ws, "out/t.txt")).toBe("ok\n");
  }, 120_000);

  it("a cancelled job fails its node with the job id and the tail of its log", async () => {
    const ws = toyWorkspace(slowTask(30));
    const run = execa(process.execPath, [FLOW, "run", "--json", "--executor", "slurm", "--keep-going", "name=a"], { cwd: ws, env, reject: false });
    const job = await until(async () => (await flowJobs(ws)).find((j) => j.state === "RUNNING" && j.name.startsWith("flow-")));
    await execa("scancel", [job.id]);
    const r = await run;
    expect(r.exitCode).toBe(1);
    const summary = JSON.parse(r.stdout.trim().split("\n").pop()!);
    expect(summary.failed).toHaveLength(1);
    expect(summary.failed[0].id).toBe("upper[name=a]");
    expect(summary.failed[0].error).toMatch(new RegExp(`^SLURM job ${job.id} CANCELLED.*; log .*\\.flow/slurm/[0-9a-f]{64}\\.log:`));
  }, 120_000);

  it("a head killed mid-run is restarted: running jobs are adopted, none is submitted twice", async () => {
    const ws = toyWorkspace(slowTask(4));
    const head = execa(process.execPath, [FLOW, "run", "--executor", "slurm", "--jobs", "2"], { cwd: ws, env, reject: false, detached: true });
    const before = new Set((await flowJobs(ws)).map((j) => j.id));
    await until(async () => ((await flowJobs(ws)).filter((j) => !before.has(j.id) && j.state === "RUNNING").length === 2 ? true : undefined));
    process.kill(-head.pid!, "SIGKILL");
    await head;
    const again = await runJson(ws, "--executor", "slurm", "--jobs", "2");
    expect(again.code).toBe(0);
    expect(again.summary.failed).toEqual([]);
    expect(read(ws, "out/all.txt")).toBe("ALPHA\n!BETA\n!");
    // one job per node key: the two upper jobs were adopted (or found finished in the cache)
    const mine = (await flowJobs(ws)).filter((j) => !before.has(j.id));
    const byName = new Map<string, number>();
    for (const j of mine) byName.set(j.name, (byName.get(j.name) ?? 0) + 1);
    expect([...byName.values()].every((n) => n === 1)).toBe(true);
    expect(byName.size).toBe(3);
  }, 180_000);
});
