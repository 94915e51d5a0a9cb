// Benchmark 1: one full-size brain_observatory_1.1 session (≈ 730 units passing QC of
// 1 560, 5.5·10⁷ spikes, real presentation counts), pipeline cold with --jobs 2.
// Baseline in the same process: the I/O floor — read every spike time once and write
// the uncompressed uint8 tensors once.
import { statSync, readdirSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import h5wasm from "h5wasm/node";
import { workspace, flow, records, ensureCache, table, s, WORK } from "./lib.js";

export async function fullSession() {
  console.log("\n# 1. Full-size session, cold, --jobs 2");
  const cache = await ensureCache("full_cache", "full");
  const nwb = join(cache, "session_715093703", "session_715093703.nwb");
  const ws = workspace("full_ws");
  const run = await flow(ws, "run", "--set", `allen_cache=${cache}`, "--jobs", "2", "--json");
  const summary = JSON.parse(run.stdout.trim().split("\n").pop()!);
  const recs = records(ws);
  const span = (task: string) => {
    const rs = recs.filter((r) => r.task === task);
    if (!rs.length) return 0;
    return Math.max(...rs.map((r) => Date.parse(r.end))) - Math.min(...rs.map((r) => Date.parse(r.start)));
  };
  const cpu = (task: string) => recs.filter((r) => r.task === task).reduce((a, r) => a + Date.parse(r.end) - Date.parse(r.start), 0);

  // output size against the uncompressed uint8 tensors
  await h5wasm.ready;
  let uint8 = 0,
    bytes = 0;
  const dir = join(ws, "data", "02_stimulus_types");
  for (const f of readdirSync(dir)) {
    bytes += statSync(join(dir, f)).size;
    const h = new h5wasm.File(join(dir, f), "r");
    for (const sess of h.keys())
      for (const st of (h.get(sess) as unknown as { keys(): string[] }).keys()) {
        const shape = (h.get(`${sess}/${st}/spike_data/spike_data`) as unknown as { shape: number[] }).shape;
        uint8 += shape.reduce((a, b) => a * b, 1);
      }
    h.close();
  }

  // baseline: the I/O floor, in this process
  const t0 = performance.now();
  const f = new h5wasm.File(nwb, "r");
  const ds = f.get("units/spike_times") as unknown as { shape: number[]; slice(r: number[][]): Float64Array };
  const n = ds.shape[0]!;
  for (let a = 0; a < n; a += 8_000_000) ds.slice([[a, Math.min(n, a + 8_000_000)]]);
  f.close();
  const tmp = join(WORK, "io-floor.bin");
  const block = new Uint8Array(64 << 20);
  for (let w = 0; w < uint8; w += block.length) writeFileSync(tmp, block.subarray(0, Math.min(block.length, uint8 - w)), { flag: w ? "a" : "w" });
  rmSync(tmp);
  const floor = performance.now() - t0;

  const rss = recs.filter((r) => r.maxRssMb).map((r) => r.maxRssMb!);
  table([
    ["reading (presentations ∥ units), span", s(Math.max(span("presentations"), span("units")))],
    ["clean (movies, median, blanks, CSVs)", s(span("clean"))],
    ["binning + speed/pupil (bin nodes), span / cpu", `${s(span("bin"))} / ${s(cpu("bin"))}`],
    ["writing per stimulus (stimulus_file), span / cpu", `${s(span("stimulus_file"))} / ${s(cpu("stimulus_file"))}`],
    ["natural-visual subset, span", s(span("subset"))],
    ["total wall (CLI, incl. hashing the 1.1 GB NWB)", s(run.ms), "≤ 6 s"],
    ["nodes run", String(summary.ran.length)],
    ["peak RSS of the worst worker", `${Math.max(...rss)} MB`, "≤ 2048 MB"],
    [
      "output bytes / uncompressed uint8 tensors",
      `${(bytes / 1e6).toFixed(1)} MB / ${(uint8 / 1e6).toFixed(1)} MB = ${(bytes / uint8).toFixed(3)}`,
      "≤ 0.15",
    ],
    ["baseline: I/O floor (read spikes once + write uint8 once)", s(floor)],
    ["ratio total / I/O floor", `${(run.ms / floor).toFixed(2)}×`],
  ]);
  return { wallMs: run.ms, floorMs: floor, ratio: bytes / uint8, maxRss: Math.max(...rss) };
}

if (import.meta.url === `file://${process.argv[1]}`) await fullSession();
