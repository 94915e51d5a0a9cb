// Binning (docs/design.md §4.5): for presentation p and bin k the edges are
//   a = start[p] + k·w,  b = start[p] + (k+1)·w   (k·w computed first, as numpy does)
// clipped at stop for natural movies, and a bin is 1 when some spike t has
// a ≤ t ≤ b (both inclusive, as AllenSDK's searchsorted left/right). Per unit and
// presentation: a galloping search to the window's first spike, then one step per spike
// in the window — O(spikes in windows + presentations · log), never a step per empty bin
// or per spike outside the stimulus.

export interface BinSpec {
  start: Float64Array; // sorted ascending
  stop: Float64Array;
  nBins: number;
  binWidth: number;
  clipAtStop: boolean;
}

export function nBinsFor(durations: ArrayLike<number>, binWidth: number): number {
  let max = 0;
  for (let i = 0; i < durations.length; i++) if (durations[i]! > max) max = durations[i]!;
  return Math.ceil(max / binWidth);
}

/** Edge offsets k·w for k = 0…n (the same float64 values every caller uses). */
export function edgeOffsets(nBins: number, binWidth: number): Float64Array {
  const e = new Float64Array(nBins + 1);
  for (let k = 0; k <= nBins; k++) e[k] = k * binWidth;
  return e;
}

export function binCentres(nBins: number, binWidth: number): Float64Array {
  const c = new Float64Array(nBins);
  for (let k = 0; k < nBins; k++) c[k] = (k + 0.5) * binWidth;
  return c;
}

/**
 * Sets bit (p·U + u)·T + k of `bits` for every non-empty bin of unit `u`.
 * `spikes` must be sorted ascending.
 *
 * Driven by the spikes, not the bins: at real firing rates a 20 ms bin holds ~0.2 spikes,
 * so visiting every bin of every unit was most of the kernel's time. For each spike in a
 * presentation's window the bin is guessed as ⌊(t − start)/w⌋ and then corrected against
 * the exact edges e_k = min(start + k·w, end) — the same float64 values as above — so a
 * spike on an edge lights both bins it touches, and one at a clipped movie's end every
 * degenerate bin there, exactly as the closed-interval definition says.
 */
export function binUnit(spikes: Float64Array, spec: BinSpec, offsets: Float64Array, u: number, U: number, bits: Uint8Array) {
  const { start, stop, nBins: T, binWidth: w, clipAtStop } = spec;
  const n = spikes.length;
  const P = start.length;
  if (T === 0) return;
  const perBin = 1 / w;
  let lo = 0; // first spike ≥ start of the current presentation (monotone: starts are sorted)
  for (let p = 0; p < P; p++) {
    const s0 = start[p]!;
    lo = firstAtLeast(spikes, s0, lo);
    if (lo === n) break;
    const end = clipAtStop ? stop[p]! : Infinity;
    const first = edge(s0, offsets, 0, end);
    const last = edge(s0, offsets, T, end);
    if (!(first <= last)) continue; // a NaN edge holds no spike
    const row = (p * U + u) * T;
    // first ≤ start, so every spike from lo on is ≥ first
    for (let i = lo; i < n; i++) {
      const t = spikes[i]!;
      if (t > last) break;
      // k = the first bin whose right edge e_{k+1} ≥ t
      let k = Math.floor((t - s0) * perBin); // a guess, corrected below
      if (!(k >= 0)) k = 0; // also NaN
      if (k > T - 1) k = T - 1;
      while (k > 0 && edge(s0, offsets, k, end) >= t) k--;
      while (k < T - 1 && edge(s0, offsets, k + 1, end) < t) k++;
      // every bin from k on whose left edge e_k ≤ t holds the spike (more than one only at an edge)
      for (; k < T && edge(s0, offsets, k, end) <= t; k++) {
        const bit = row + k;
        bits[bit >>> 3] = bits[bit >>> 3]! | (1 << (bit & 7));
      }
    }
  }
}

/** Edge k of a presentation: e_k = min(start + k·w, end) (a plain function: V8 inlines it, where a closure per presentation cost more than the loop). */
function edge(s0: number, offsets: Float64Array, k: number, end: number): number {
  const e = s0 + offsets[k]!;
  return e > end ? end : e;
}

/**
 * The first index ≥ `from` whose value is ≥ x (spikes.length if none), by galloping from
 * `from`: a stimulus's presentations cover a small part of a session, and stepping over
 * every spike between them, once per stimulus, was most of the kernel's time.
 */
function firstAtLeast(a: Float64Array, x: number, from: number): number {
  const n = a.length;
  if (from >= n || !(a[from]! < x)) return from;
  // a[lo] < x; widen until a[hi] ≥ x or the end
  let lo = from;
  let step = 1;
  let hi = lo + step;
  while (hi < n && a[hi]! < x) {
    lo = hi;
    step *= 2;
    hi = lo + step;
  }
  if (hi > n) hi = n;
  // invariant: a[lo] < x, and hi = n or a[hi] ≥ x
  while (hi - lo > 1) {
    const m = (lo + hi) >>> 1;
    if (a[m]! < x) lo = m;
    else hi = m;
  }
  return hi;
}

/** A unit as the binning needs it: its row in /units, its id and its structure. */
export interface BinUnit {
  row: number;
  unit_id: number;
  structure: string | null;
}

/** Units by structure acronym, structures in name order, units in the given (AllenSDK) order; units with no structure are dropped. */
export function structureGroups<U extends BinUnit>(units: U[]): Map<string, U[]> {
  const groups = new Map<string, U[]>();
  for (const u of units) {
    if (!u.structure) continue;
    if (!groups.has(u.structure)) groups.set(u.structure, []);
    groups.get(u.structure)!.push(u);
  }
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The packed spike tensors of a session (presentation × unit × bin, per structure) for
 * the presentations of `spec`. `spikesOf(rows)` gives each unit's spike times by row;
 * they must be sorted — an array not already seen sorted (`checked`, kept by the caller
 * across nodes for arrays it reuses) is checked, and unsorted times are refused with
 * `unsorted(unit_id, i, a, b)`.
 */
export function binSession(
  groups: Map<string, BinUnit[]>,
  spec: BinSpec,
  spikesOf: (rows: number[]) => Map<number, Float64Array>,
  packedLength: (bits: number) => number,
  checked: WeakSet<Float64Array>,
  unsorted: (unitId: number, i: number, a: number, b: number) => Error,
): Map<string, Uint8Array> {
  const P = spec.start.length;
  const T = spec.nBins;
  const offsets = edgeOffsets(T, spec.binWidth);
  const spikes = new Map<string, Uint8Array>();
  const slot = new Map<number, { bits: Uint8Array; u: number; U: number; id: number }>();
  for (const [s, us] of groups) {
    const bits = new Uint8Array(packedLength(P * us.length * T));
    spikes.set(s, bits);
    us.forEach((u, i) => slot.set(u.row, { bits, u: i, U: us.length, id: u.unit_id }));
  }
  const byRow = spikesOf([...slot.keys()]);
  for (const [row, t] of slot) {
    const s = byRow.get(row)!;
    if (!checked.has(s)) {
      for (let i = 1; i < s.length; i++) if (!(s[i]! >= s[i - 1]!)) throw unsorted(t.id, i, s[i - 1]!, s[i]!);
      checked.add(s);
    }
    binUnit(s, spec, offsets, t.u, t.U, t.bits);
  }
  return spikes;
}
