// Benchmark 2: flow's binning sweep against a straightforward port of AllenSDK's method
// (for every unit, a binary search of every bin edge — left side for starts, right side
// for ends — over the clipped domain), on the same in-memory spikes and presentations.
// Both must give identical tensors.
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { Nwb } from "../tasks/formats/nwb/open.js";
import { readUnits, forEachUnitSpikes } from "../tasks/formats/nwb/read-units.js";
import { binUnit, edgeOffsets, nBinsFor, type BinSpec } from "../tasks/science/binning.js";
import { packedLength } from "../tasks/formats/cube.js";
import { ensureCache, table, s, WORK } from "./lib.js";
import type { KeptPresentations } from "../tasks/formats/intermediates.js";

function searchLeft(a: Float64Array, v: number) {
  let lo = 0,
    hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (a[m]! < v) lo = m + 1;
    else hi = m;
  }
  return lo;
}
function searchRight(a: Float64Array, v: number) {
  let lo = 0,
    hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (a[m]! <= v) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** AllenSDK: build_time_window_domain + build_spike_histogram (binarized). */
function allensdk(spikes: Float64Array[], spec: BinSpec, offsets: Float64Array): Uint8Array {
  const P = spec.start.length,
    T = spec.nBins,
    U = spikes.length;
  const D = new Float64Array(P * (T + 1));
  for (let p = 0; p < P; p++)
    for (let k = 0; k <= T; k++) {
      const v = spec.start[p]! + offsets[k]!;
      D[p * (T + 1) + k] = spec.clipAtStop ? Math.min(v, spec.stop[p]!) : v;
    }
  const out = new Uint8Array(P * U * T);
  for (let u = 0; u < U; u++) {
    const s = spikes[u]!;
    for (let p = 0; p < P; p++)
      for (let k = 0; k < T; k++) {
        const c = searchRight(s, D[p * (T + 1) + k + 1]!) - searchLeft(s, D[p * (T + 1) + k]!);
        out[(p * U + u) * T + k] = c > 0 ? 1 : 0;
      }
  }
  return out;
}

export async function kernel() {
  console.log("\n# 2. Binning kernel vs the AllenSDK method (same in-memory data)");
  const cache = await ensureCache("full_cache", "full");
  const kept = join(WORK, "full_ws/data/01_sessions/session_715093703/presentations_filtered.json");
  let rows: KeptPresentations["presentations"];
  try {
    rows = (JSON.parse(readFileSync(kept, "utf8")) as KeptPresentations).presentations;
  } catch {
    throw new Error("run bench/full-session.ts first (it makes the filtered presentations)");
  }
  const nwb = await Nwb.open(join(cache, "session_715093703/session_715093703.nwb"));
  const units = readUnits(nwb).filter((u) => u.kept);
  const spikes: Float64Array[] = [];
  forEachUnitSpikes(
    nwb,
    units.map((u) => u.row),
    (_r, sp) => spikes.push(Float64Array.from(sp)),
  );
  nwb.close();
  const out: [string, string, string?][] = [];
  let totalFlow = 0,
    totalSdk = 0;
  for (const stim of ["natural_scenes", "natural_movie_three", "drifting_gratings"]) {
    const rs = rows.filter((r) => r.stimulus_name === stim);
    const spec: BinSpec = {
      start: Float64Array.from(rs, (r) => r.start_time),
      stop: Float64Array.from(rs, (r) => r.stop_time),
      nBins: nBinsFor(
        rs.map((r) => r.duration),
        0.02,
      ),
      binWidth: 0.02,
      clipAtStop: stim.startsWith("natural_movie"),
    };
    const offsets = edgeOffsets(spec.nBins, 0.02);
    const U = spikes.length,
      P = rs.length,
      T = spec.nBins;
    let t = performance.now();
    const bits = new Uint8Array(packedLength(P * U * T));
    spikes.forEach((sp, u) => binUnit(sp, spec, offsets, u, U, bits));
    const tFlow = performance.now() - t;
    t = performance.now();
    const ref = allensdk(spikes, spec, offsets);
    const tSdk = performance.now() - t;
    for (let i = 0; i < ref.length; i++) {
      if (ref[i] !== ((bits[i >>> 3]! >>> (i & 7)) & 1)) throw new Error(`${stim}: tensors differ at ${i}`);
    }
    totalFlow += tFlow;
    totalSdk += tSdk;
    out.push([`${stim} (${P} × ${U} × ${T})`, `flow ${s(tFlow)}, AllenSDK method ${s(tSdk)}, ${(tSdk / tFlow).toFixed(1)}×, identical`]);
  }
  out.push(["all three", `${(totalSdk / totalFlow).toFixed(1)}× faster`, "≥ 10×"]);
  table(out);
  return { ratio: totalSdk / totalFlow };
}

if (import.meta.url === `file://${process.argv[1]}`) await kernel();
