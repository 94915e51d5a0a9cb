// Binning (docs/design.md §4.5): for presentation p and bin k the edges are
//   a = start[p] + k·w,  b = start[p] + (k+1)·w   (k·w computed first, as numpy does)
// clipped at stop[p] for natural movies, and a bin is 1 when some spike t has
// a ≤ t ≤ b (both inclusive, as AllenSDK's searchsorted left/right). One sweep per unit
// over sorted spikes and sorted edges: O(spikes + bins), no binary search per edge.

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
 */
export function binUnit(spikes: Float64Array, spec: BinSpec, offsets: Float64Array, u: number, U: number, bits: Uint8Array) {
  const { start, stop, nBins: T, clipAtStop } = spec;
  const n = spikes.length;
  const P = start.length;
  let lo = 0; // first spike ≥ start of the current presentation (monotone: starts are sorted)
  for (let p = 0; p < P; p++) {
    const s0 = start[p]!;
    while (lo < n && spikes[lo]! < s0) lo++;
    if (lo === n) break;
    const end = clipAtStop ? stop[p]! : Infinity;
    let i = lo;
    let a = s0 + offsets[0]!;
    if (a > end) a = end;
    const row = (p * U + u) * T;
    for (let k = 0; k < T; k++) {
      let b = s0 + offsets[k + 1]!;
      if (b > end) b = end;
      while (i < n && spikes[i]! < a) i++;
      if (i === n) break;
      if (spikes[i]! <= b) {
        const bit = row + k;
        bits[bit >>> 3] = bits[bit >>> 3]! | (1 << (bit & 7));
      }
      a = b;
    }
  }
}
