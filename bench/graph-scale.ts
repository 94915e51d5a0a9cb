// Graph scale: toy pipelines of shell tasks with 10⁴–10⁵ nodes — fan-out +
// gather, a long chain, a wide fan-in — timed as `flow status --json` (never run, and
// up to date), a no-op `flow run`, and trivial-node throughput. Peak RSS from
// /usr/bin/time. Baseline in the same process: `node -e 0` (what any CLI call costs).
//   node bin/run-ts.js bench/graph-scale.ts [--quick]
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { spawn } from "node:child_process";
import { REPO, WORK, table, s } from "./lib.js";

const quick = process.argv.includes("--quick");

/** N nodes a[id] (each writes one small file) feeding one gather node. */
export function fanOut(n: number): string {
  const ids = Array.from({ length: n }, (_, i) => i).join(", ");
  return `version: 1
sets:
  id: { values: [${ids}] }
tasks:
  a:
    run: { argv: [/bin/sh, -c, 'echo "$1" > "$0"', "\${out.o}", "\${id}"] }
    foreach: [id]
    outputs: { o: "out/a/\${id}.txt" }
  gather:
    run: { argv: [/bin/sh, -c, 'cat "$@" | wc -l > "$0"', "\${out.o}", "\${in.all}"] }
    inputs: { all: { from: a, output: o } }
    outputs: { o: out/all.txt }
`;
}

/** A chain of n tasks, each reading the previous one's output. */
export function chain(n: number): string {
  const lines = ["version: 1", "tasks:", "  t0:", '    run: { argv: [/bin/sh, -c, \'echo 0 > "$0"\', "${out.o}"] }', "    outputs: { o: out/0.txt }"];
  for (let i = 1; i < n; i++) {
    lines.push(
      `  t${i}:`,
      `    run: { argv: [/bin/cp, "\${in.p}", "\${out.o}"] }`,
      `    inputs: { p: out/${i - 1}.txt }`,
      `    outputs: { o: out/${i}.txt }`,
    );
  }
  return lines.join("\n") + "\n";
}

function ws(name: string, yaml: string): string {
  const dir = join(WORK, "graph", name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "pipeline.yaml"), yaml);
  return dir;
}

/** Wall time and peak RSS of one flow command. */
async function timed(cwd: string, ...args: string[]): Promise<{ ms: number; rssMb: number; stdout: string }> {
  const t0 = performance.now();
  const r = await execa("/usr/bin/time", ["-f", "%M", process.execPath, join(REPO, "bin/flow.js"), ...args], {
    cwd,
    reject: false,
    maxBuffer: 1 << 30,
  });
  const ms = performance.now() - t0;
  if (r.exitCode !== 0) throw new Error(`flow ${args.join(" ")} failed (${r.exitCode}):\n${r.stderr.slice(-2000)}`);
  const rssKb = Number(r.stderr.trim().split("\n").pop());
  return { ms, rssMb: rssKb / 1024, stdout: r.stdout };
}

/**
 * The floor for shell tasks on this machine: the same `sh -c 'echo … > file'` tasks
 * spawned serially by one Node process with piped output and nothing else. (Two such
 * spawners side by side are no faster here: fork+exec serialises in the kernel.)
 */
async function bareSpawns(n: number, dir: string): Promise<number> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await new Promise<void>((res) => {
      const c = spawn("/bin/sh", ["-c", 'echo "$1" > "$0"', join(dir, `${i}.txt`), String(i)], { stdio: ["ignore", "pipe", "pipe"] });
      c.stdout.resume();
      c.stderr.resume();
      c.on("close", () => res());
    });
  }
  return performance.now() - t0;
}

export async function graphScale() {
  console.log("\n== graph scale (toy shell pipelines) ==");
  const base = performance.now();
  await execa(process.execPath, ["-e", "0"]);
  const nodeMs = performance.now() - base;
  const rows: [string, string, string?][] = [[`baseline: node -e 0`, s(nodeMs)]];

  const sizes = quick ? [5_000, 20_000] : [25_000, 100_000];
  const statusMs: number[] = [];
  for (const n of sizes) {
    const dir = ws(`fan-${n}`, fanOut(n));
    const r = await timed(dir, "status", "--json");
    statusMs.push(r.ms);
    rows.push([
      `status, never run, fan-out ${n} + gather`,
      `${s(r.ms)}, peak RSS ${r.rssMb.toFixed(0)} MB`,
      n >= 100_000 ? "≤ 10 s, ≤ 1 GB" : undefined,
    ]);
  }
  const ratio = statusMs[1]! / statusMs[0]!;
  rows.push([`  t(${sizes[1]}) / t(${sizes[0]})`, ratio.toFixed(2), `≤ ${((sizes[1]! / sizes[0]!) * 1.25).toFixed(1)} (linear)`]);

  const chainN = quick ? 20_000 : 100_000;
  const c = ws(`chain-${chainN}`, chain(chainN));
  const cr = await timed(c, "status", "--json");
  rows.push([`status, never run, chain of ${chainN}`, `${s(cr.ms)}, peak RSS ${cr.rssMb.toFixed(0)} MB`, "works"]);
  const fanIn = quick ? 50_000 : 200_000;
  const fi = ws(`fanin-${fanIn}`, fanOut(fanIn));
  const fr = await timed(fi, "dag", "--tasks");
  rows.push([`dag --tasks, fan-in of ${fanIn}`, `${s(fr.ms)}, peak RSS ${fr.rssMb.toFixed(0)} MB`, "works"]);

  // Up to date at 20 000 nodes: run once (throughput), then status and a no-op run.
  const upN = quick ? 2_000 : 20_000;
  const up = ws(`up-${upN}`, fanOut(upN - 1));
  const bare = await bareSpawns(upN, join(WORK, "graph", "bare"));
  const run = await timed(up, "run", "--jobs", "2");
  const bare2 = await bareSpawns(upN, join(WORK, "graph", "bare"));
  const bareRate = (2 * upN) / ((bare + bare2) / 1000);
  const rate = upN / (run.ms / 1000);
  rows.push([
    `baseline: the same ${upN} tasks spawned one after another by one Node process (no bookkeeping; before/after)`,
    `${s(bare)} / ${s(bare2)} = ${bareRate.toFixed(0)} tasks/s`,
  ]);
  rows.push([
    `run ${upN} trivial shell nodes, --jobs 2`,
    `${s(run.ms)} = ${rate.toFixed(0)} nodes/s = ${(rate / bareRate).toFixed(2)}× the bare spawns`,
    "≥ 150 nodes/s",
  ]);
  const st = await timed(up, "status", "--json");
  rows.push([`status, up to date, ${upN} nodes`, `${s(st.ms)}, peak RSS ${st.rssMb.toFixed(0)} MB`, upN >= 20_000 ? "≤ 3 s" : undefined]);
  const noop = await timed(up, "run", "--jobs", "2");
  rows.push([`no-op run, ${upN} nodes`, s(noop.ms), upN >= 20_000 ? "≤ 3 s" : undefined]);
  table(rows);
}

if (import.meta.url === `file://${process.argv[1]}`) await graphScale();
