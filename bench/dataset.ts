// The whole dataset: N full-size sessions (the two session types in turn, each
// its own seed), run cold with --jobs 2 for growing subsets of them (selected with
// `session_ids`, as a user would). Prints the per-session marginal cost and its
// projection to the real 58 sessions, and the time and peak RSS of the nodes that gather
// over sessions (medians, tables, stimulus_file, subset, stats, figures) as N grows: linear in
// time, flat in memory. Baseline in the same process: the I/O floor of one session (read
// every spike time once, write its uint8 tensors once).
//   node bin/run-ts.js bench/dataset.ts [--sessions 6] [--sizes 2,6] [--notes both|with|without]
// Both ways by default: with the digest notes flow fetch leaves (a run takes the NWB files'
// sha256 from them) and without (a cache filled otherwise: a first run reads and hashes them).
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { workspace, flow, records, ensureCache, table, s, ioFloor, tensorBytes, digestNotes } from "./lib.js";
import type { ProvenanceRecord } from "../engine/records/provenance.js";

const argN = process.argv.indexOf("--sessions");
const N = argN > 0 ? Number(process.argv[argN + 1]) : 6;
const GATHER = ["medians", "tables", "stimulus_file", "subset", "stats", "figures"];

const ids = (cache: string) =>
  readdirSync(cache)
    .filter((d) => /^session_\d+$/.test(d))
    .map((d) => Number(d.slice(8)))
    .sort((a, b) => a - b);

interface Point {
  n: number;
  wallMs: number;
  cpuMs: number;
  /** node time by task */
  byTask: Record<string, number>;
  gather: Record<string, { ms: number; rssMb: number }>;
  maxRssMb: number;
  uint8: number;
}

async function runWith(cache: string, sessions: number[]): Promise<Point> {
  const ws = workspace(`dataset_ws_${sessions.length}`);
  const run = await flow(ws, "run", "--set", `allen_cache=${cache}`, "--set", `session_ids=[${sessions.join(",")}]`, "--jobs", "2", "--json");
  const recs: ProvenanceRecord[] = records(ws).filter((r) => r.status === "ok");
  const dur = (r: ProvenanceRecord) => Date.parse(r.end) - Date.parse(r.start);
  const gather: Point["gather"] = {};
  for (const t of GATHER) {
    const rs = recs.filter((r) => r.task === t);
    gather[t] = { ms: rs.reduce((a, r) => a + dur(r), 0), rssMb: Math.max(0, ...rs.map((r) => r.maxRssMb ?? 0)) };
  }
  const byTask: Record<string, number> = {};
  for (const r of recs) byTask[r.task] = (byTask[r.task] ?? 0) + dur(r);
  const point = {
    n: sessions.length,
    wallMs: run.ms,
    cpuMs: recs.reduce((a, r) => a + dur(r), 0),
    byTask,
    gather,
    maxRssMb: Math.max(...recs.map((r) => r.maxRssMb ?? 0)),
    uint8: await tensorBytes(ws),
  };
  rmSync(join(ws, "data"), { recursive: true, force: true }); // ~0.2 GB per session
  rmSync(join(ws, "cache"), { recursive: true, force: true });
  return point;
}

export async function dataset() {
  const argNotes = process.argv.indexOf("--notes");
  const modes = (argNotes > 0 ? process.argv[argNotes + 1]! : "both") === "both" ? [false, true] : [process.argv[argNotes + 1] === "with"];
  console.log(`\n# The whole dataset: ${N} full-size sessions, cold, --jobs 2`);
  const cache = await ensureCache(`dataset_cache_${N}`, "dataset", N);
  const all = ids(cache);
  const argSizes = process.argv.indexOf("--sizes");
  const sizes = (argSizes > 0 ? process.argv[argSizes + 1]!.split(",").map(Number) : [...new Set([2, Math.round(N / 2), N])])
    .filter((n) => n >= 1 && n <= all.length)
    .sort((a, b) => a - b);
  const summary: [string, string, string?][] = [];
  let floor = 0;
  const what = (noted: boolean) =>
    noted ? "with digest notes (as flow fetch leaves the cache)" : "without digest notes (every NWB read and hashed)";
  // the two ways interleaved at each size, so that the machine's drift (2× within an hour)
  // falls on both alike
  const pointsOf = new Map<boolean, Point[]>(modes.map((m) => [m, []]));
  for (const n of sizes)
    for (const noted of modes) {
      digestNotes(cache, all, noted);
      const p = await runWith(cache, all.slice(0, n));
      pointsOf.get(noted)!.push(p);
      console.log(`  (${n} sessions, ${what(noted)}: ${s(p.wallMs)})`);
    }
  for (const noted of modes) {
    console.log(`\n## ${what(noted)}`);
    const points = pointsOf.get(noted)!;
    const first = points[0]!,
      last = points[points.length - 1]!;
    const marginal = (last.wallMs - first.wallMs) / (last.n - first.n);
    const marginalCpu = (last.cpuMs - first.cpuMs) / (last.n - first.n);
    floor = await ioFloor(join(cache, `session_${all[0]}`, `session_${all[0]}.nwb`), last.uint8 / last.n);
    const gatherCells = (p: Point) => GATHER.map((t) => `${t} ${s(p.gather[t]!.ms)}/${p.gather[t]!.rssMb} MB`).join(", ");
    const rows: [string, string, string?][] = [];
    for (const p of points) {
      rows.push([`${p.n} sessions: wall, per session`, `${s(p.wallMs)}, ${s(p.wallMs / p.n)}`]);
      rows.push([`  gather nodes (time / peak RSS)`, gatherCells(p)]);
      rows.push([`  peak RSS of any node`, `${p.maxRssMb} MB`, "≤ 2048 MB"]);
      rows.push([
        `  node time per session by task`,
        Object.entries(p.byTask)
          .map(([t, ms]) => `${t} ${s(ms / p.n)}`)
          .join(", "),
      ]);
    }
    rows.push([`marginal cost per session (${first.n} → ${last.n}), wall / node time`, `${s(marginal)} / ${s(marginalCpu)}`]);
    rows.push([`baseline: I/O floor of one session (read spikes once + write uint8 once)`, s(floor)]);
    rows.push([`  marginal wall per session / I/O floor`, `${(marginal / floor).toFixed(2)}×`]);
    const fixed = first.wallMs - marginal * first.n;
    const on2 = fixed + 58 * marginal;
    rows.push([`projected: 58 sessions on 2 cores (fixed + 58 × marginal)`, s(on2), "≤ 300 s"]);
    // 16 cores: the node time spreads over 8× the workers; gather nodes are one per stimulus
    rows.push([
      `projected: 58 sessions on 16 cores (58 × node time per session / 16)`,
      s((58 * marginalCpu) / 16),
      "≤ 60 s (an estimate: assumes the disk keeps up)",
    ]);
    table(rows);
    summary.push([
      `58 sessions on 2 cores, ${what(noted)}`,
      `${s(on2)} (marginal ${s(marginal)} a session, ${(marginal / floor).toFixed(2)}× the I/O floor)`,
      "≤ 300 s",
    ]);
  }
  digestNotes(cache, all, true);
  if (summary.length > 1) {
    console.log("\n## Both");
    table(summary);
  }
  return { summary, floor };
}

if (import.meta.url === `file://${process.argv[1]}`) await dataset();
