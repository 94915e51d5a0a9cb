// The binning kernel against the definition it implements (docs/design.md §4.5), computed
// the slow way: bin k of presentation p is 1 when some spike t has e_k ≤ t ≤ e_{k+1},
// e_k = start + k·w (clipped at stop for movies) — for every bin, every spike checked.
// The spikes are drawn to land on edges (both bins touched), at a clipped movie's end
// (every degenerate bin), before the first and after the last edge, in overlapping
// presentations, and at random.
import { describe, it, expect } from "vitest";
import { binUnit, edgeOffsets, type BinSpec } from "../../tasks/science/binning.js";
import { packedLength } from "../../tasks/formats/cube.js";

/** a small deterministic generator (mulberry32), so a failure can be replayed */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function definition(spikes: Float64Array[], spec: BinSpec): Uint8Array {
  const P = spec.start.length,
    T = spec.nBins,
    U = spikes.length;
  const out = new Uint8Array(P * U * T);
  for (let p = 0; p < P; p++) {
    const e = (k: number) => {
      const v = spec.start[p]! + k * spec.binWidth;
      return spec.clipAtStop ? Math.min(v, spec.stop[p]!) : v;
    };
    for (let u = 0; u < U; u++) for (let k = 0; k < T; k++) out[(p * U + u) * T + k] = spikes[u]!.some((t) => e(k) <= t && t <= e(k + 1)) ? 1 : 0;
  }
  return out;
}

function kernel(spikes: Float64Array[], spec: BinSpec): Uint8Array {
  const P = spec.start.length,
    T = spec.nBins,
    U = spikes.length;
  const bits = new Uint8Array(packedLength(P * U * T));
  const offsets = edgeOffsets(T, spec.binWidth);
  spikes.forEach((s, u) => binUnit(s, spec, offsets, u, U, bits));
  return Uint8Array.from({ length: P * U * T }, (_, i) => (bits[i >>> 3]! >>> (i & 7)) & 1);
}

function randomCase(seed: number, clipAtStop: boolean) {
  const r = rng(seed);
  const w = [0.02, 0.025, 0.1, 1 / 30][Math.floor(r() * 4)]!;
  const P = 1 + Math.floor(r() * 12);
  const T = 1 + Math.floor(r() * 30);
  const start = new Float64Array(P);
  const stop = new Float64Array(P);
  let t = 10 + r() * 5;
  for (let p = 0; p < P; p++) {
    // sometimes overlapping the previous presentation, sometimes a gap
    t += r() < 0.3 ? -r() * T * w * 0.5 : r() * T * w * 1.5;
    start[p] = Math.max(t, p ? start[p - 1]! : 0); // starts sorted
    stop[p] = start[p]! + (r() < 0.5 ? T * w : r() * T * w);
  }
  const spec: BinSpec = { start, stop, nBins: T, binWidth: w, clipAtStop };
  const spikes: Float64Array[] = [];
  for (let u = 0; u < 4; u++) {
    const v: number[] = [];
    for (let j = 0; j < 40; j++) {
      const p = Math.floor(r() * P);
      const k = Math.floor(r() * (T + 1));
      const edge = start[p]! + k * w;
      const pick = r();
      if (pick < 0.35)
        v.push(edge); // exactly on an edge
      else if (pick < 0.45)
        v.push(stop[p]!); // a movie's clipped end
      else if (pick < 0.55)
        v.push(start[p]! - r() * w); // before the window
      else if (pick < 0.6)
        v.push(start[p]! + (T + r()) * w); // after it
      else v.push(start[p]! + r() * T * w);
    }
    spikes.push(Float64Array.from(v).sort());
  }
  return { spikes, spec };
}

describe("binUnit = the closed-interval definition", () => {
  it("on edges, clipped ends, overlaps and gaps (400 random cases, both clip modes)", () => {
    let lit = 0,
      edgeDoubles = 0;
    for (let seed = 1; seed <= 200; seed++) {
      for (const clip of [false, true]) {
        const { spikes, spec } = randomCase(seed, clip);
        const want = definition(spikes, spec);
        const got = kernel(spikes, spec);
        if (!want.every((v, i) => v === got[i])) {
          const i = want.findIndex((v, j) => v !== got[j]);
          expect.fail(`seed ${seed} clip ${clip}: bin ${i} is ${got[i]}, the definition says ${want[i]}`);
        }
        lit += want.reduce((a, v) => a + v, 0);
        // a spike on an inner edge lights two neighbouring bins: the cases must contain such
        for (let i = 1; i < want.length; i++) if (want[i] && want[i - 1]) edgeDoubles++;
      }
    }
    expect(lit).toBeGreaterThan(5000);
    expect(edgeDoubles).toBeGreaterThan(500);
  });

  it("a spike exactly on an inner edge lights both bins; one at a clipped end every bin past it", () => {
    const spec: BinSpec = { start: Float64Array.of(1), stop: Float64Array.of(1.25), nBins: 5, binWidth: 0.1, clipAtStop: true };
    // edges 1, 1.1, 1.2, 1.25, 1.25, 1.25 (k·w first, then the start added: 1 + 0.1·k)
    expect([...kernel([Float64Array.of(1 + 0.1)], spec)]).toEqual([1, 1, 0, 0, 0]);
    expect([...kernel([Float64Array.of(1.25)], spec)]).toEqual([0, 0, 1, 1, 1]);
    expect([...kernel([Float64Array.of(1.26)], spec)]).toEqual([0, 0, 0, 0, 0]);
    expect([...kernel([Float64Array.of(0.999, 1)], { ...spec, clipAtStop: false })]).toEqual([1, 0, 0, 0, 0]);
  });
});
