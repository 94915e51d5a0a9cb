// Run history, node records with cost, task output and the trace.
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { FLOW, flow, runJson, toyWorkspace, write } from "../rig.js";

const printing = {
  "tasks/upper.ts": `import { readFileSync, writeFileSync } from "node:fs";
export default { run(ctx: any) {
  console.log("hello from " + ctx.node);
  process.stderr.write("to stderr\\n");
  ctx.log("a log line");
  if (ctx.params.suffix === "fail") throw new Error("asked to fail");
  const big = ctx.params.suffix === "big";
  if (big) for (let i = 0; i < 4000; i++) console.log("line " + i + " " + "x".repeat(40));
  let s = 0; for (let i = 0; i < 3e7; i++) s += i; // some CPU
  writeFileSync(ctx.outputs.out, readFileSync(ctx.inputs.src, "utf8").toUpperCase() + ctx.params.suffix + (s > 0 ? "" : "?"));
} };
`,
};

const runs = async (ws: string) =>
  JSON.parse((await flow(ws, "log", "--runs", "--json")).stdout) as {
    id: string;
    argv: string[];
    params: Record<string, unknown>;
    executor: string;
    end?: { status: string; counts: Record<string, number> };
    nodes: number;
  }[];

describe("run history", () => {
  it("every run gets a time-ordered id with its command line, params and counts", async () => {
    const ws = toyWorkspace(printing);
    expect((await runJson(ws, "--set", "suffix=?")).code).toBe(0);
    expect((await runJson(ws, "--set", "suffix=?")).code).toBe(0);
    rmSync(join(ws, "out/a.up"));
    expect((await runJson(ws, "--set", "suffix=?")).code).toBe(0);
    const r = await runs(ws);
    expect(r.length).toBe(3);
    expect(r.map((x) => x.id)).toEqual([...r.map((x) => x.id)].sort());
    expect(r[0]).toMatchObject({ argv: ["run", "--set", "suffix=?", "--json"], executor: "local", params: { suffix: "?" } });
    expect(r[0]!.end).toMatchObject({ status: "ok", counts: { ran: 3, restored: 0, upToDate: 0, failed: 0, skipped: 0 } });
    expect(r[1]!.end!.counts).toMatchObject({ ran: 0, upToDate: 3 });
    expect(r[1]!.nodes).toBe(0); // up-to-date nodes are counted, not listed
    expect(r[2]!.end!.counts).toMatchObject({ restored: 1, upToDate: 2 });
    const text = (await flow(ws, "log", "--runs")).stdout.trim().split("\n");
    expect(text.length).toBe(3);
    expect(text[2]).toMatch(/^\S+ +ok +[\d.]+ s +0 ran, 1 restored, 2 up to date, 0 failed +local +flow run --set suffix=\? --json$/);
  });

  it("flow log --run shows each node's outcome, duration, CPU time and peak RSS; a failure has its error", async () => {
    const ws = toyWorkspace(printing);
    expect((await runJson(ws, "--set", "suffix=fail", "--keep-going")).code).toBe(1);
    const j = JSON.parse((await flow(ws, "log", "--run", "last", "--json")).stdout);
    const byId = Object.fromEntries(j.nodes.map((n: { id: string }) => [n.id, n]));
    expect(byId["upper[name=a]"]).toMatchObject({ outcome: "failed", error: "asked to fail", task: "upper", vars: { name: "a" } });
    expect(byId["concat"]).toMatchObject({ outcome: "skipped" });
    expect((await runJson(ws, "--set", "suffix=?")).code).toBe(0);
    const ok = await runJson(ws, "--set", "suffix=!");
    expect(ok.code).toBe(0);
    const last = JSON.parse((await flow(ws, "log", "--run", "last", "name=b", "--json")).stdout);
    expect(last.nodes.length).toBe(1);
    const n = last.nodes[0];
    expect(n).toMatchObject({ id: "upper[name=b]", outcome: "ran", reasons: ["param suffix changed (? → !)"] });
    expect(n.cpuMs).toBeGreaterThan(10); // 3·10⁷ additions
    expect(n.maxRssMb).toBeGreaterThan(20);
    expect(n.lane).toMatch(/^worker \d+$/);
    expect(Date.parse(n.end) - Date.parse(n.start)).toBe(n.ms);
    const text = (await flow(ws, "log", "--run", "last")).stdout;
    expect(text).toMatch(/ran +upper\[name=b\] +[\d.]+ s +cpu [\d.]+ s +rss \d+ MB +worker \d+/);
    const bad = await flow(ws, "log", "--run", "nosuch");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--run nosuch: no such run");
  });

  it("flow log NODE --output prints what the task printed: stdout, stderr and log lines, kept to the tail", async () => {
    const ws = toyWorkspace(printing);
    expect((await runJson(ws)).code).toBe(0);
    const out = await flow(ws, "log", "upper[name=a]", "--output");
    expect(out.code).toBe(0);
    expect(out.stdout).toBe("hello from upper[name=a]\nto stderr\na log line"); // (execa drops the last newline)
    const shell = await flow(ws, "log", "task=concat", "--output");
    expect(shell.stdout).toBe("(the task printed nothing)");
    // a failed execution keeps its output and the error
    expect((await runJson(ws, "--set", "suffix=fail")).code).toBe(1);
    expect((await flow(ws, "log", "out/b.up", "--output")).stdout).toMatch(/hello from upper\[name=b\]\nto stderr\na log line\nflow: asked to fail$/);
    // a task that prints 200 kB: the last 64 kB are kept
    expect((await runJson(ws, "--set", "suffix=big")).code).toBe(0);
    const big = (await flow(ws, "log", "upper[name=a]", "--output")).stdout;
    expect(big).toMatch(/^\[… the first \d+ bytes are not kept\]\n/);
    expect(big.length).toBeLessThan(64 * 1024 + 100);
    expect(big.trimEnd().endsWith("line 3999 " + "x".repeat(40))).toBe(true);
  });

  it("a trace with Nextflow's columns is kept with every run, and written where --trace says", async () => {
    const ws = toyWorkspace(printing);
    const r = await runJson(ws, "--trace", "trace.tsv");
    expect(r.code).toBe(0);
    const rows = readFileSync(join(ws, "trace.tsv"), "utf8")
      .trim()
      .split("\n")
      .map((l) => l.split("\t"));
    expect(rows[0]).toEqual([
      "node",
      "task",
      "params",
      "state",
      "start",
      "end",
      "wall_s",
      "cpu_s",
      "peak_rss_mb",
      "bytes_read",
      "bytes_written",
      "executor",
      "job_id",
    ]);
    expect(
      rows
        .slice(1)
        .map((x) => x[0])
        .sort(),
    ).toEqual(["concat", "upper[name=a]", "upper[name=b]"]);
    const a = rows.find((x) => x[0] === "upper[name=a]")!;
    expect(a.slice(1, 4)).toEqual(["upper", "name=a", "ran"]);
    expect(Number(a[6])).toBeGreaterThan(0);
    expect(Number(a[7])).toBeGreaterThan(0);
    expect(Number(a[8])).toBeGreaterThan(20);
    expect(Number(a[9])).toBeGreaterThan(0); // it read its input and its own code
    expect(a[11]).toBe("local");
    const kept = readdirSync(join(ws, ".flow/runs")).filter((f) => f.endsWith(".trace.tsv"));
    expect(kept.length).toBe(1);
    expect(readFileSync(join(ws, ".flow/runs", kept[0]!), "utf8")).toBe(readFileSync(join(ws, "trace.tsv"), "utf8"));
  });

  it("a run killed with SIGKILL is listed without an end; credentials in params never reach the record", async () => {
    const ws = toyWorkspace({
      ...printing,
      "tasks/slow.ts": `export default { run() { return new Promise(() => {}); } };\n`,
    });
    const yaml =
      readFileSync(join(ws, "pipeline.yaml"), "utf8").replace("  unused: 1", "  unused: 1\n  url: { default: '', type: string }") +
      "  slow:\n    run: { module: tasks/slow.ts }\n    params: [url]\n    outputs: { o: out/slow.txt }\n";
    writeFileSync(join(ws, "pipeline.yaml"), yaml);
    const child = execa(process.execPath, [FLOW, "run", "--set", "url=redis://:s3cretpw@db:6379"], { cwd: ws, reject: false });
    for (let i = 0; i < 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const ids = (() => {
        try {
          return readdirSync(join(ws, ".flow/runs"));
        } catch {
          return [];
        }
      })();
      if (ids.length && readFileSync(join(ws, ".flow/runs", ids[0]!), "utf8").includes("upper[name=b]")) break;
    }
    child.kill("SIGKILL");
    await child;
    const text = (await flow(ws, "log", "--runs")).stdout;
    expect(text).toContain("no end recorded (killed, or still running)");
    expect(text).toContain("url=redis://***@db:6379");
    const file = readdirSync(join(ws, ".flow/runs"))[0]!;
    expect(readFileSync(join(ws, ".flow/runs", file), "utf8")).not.toContain("s3cretpw");
    write(ws, {});
  });
});
