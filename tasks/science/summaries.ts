// What the figures show, computed from the binned cubes: spikes per bin and per unit (on
// the packed bits, visiting only the set ones), rates pooled over sessions whose bin
// counts differ, means and spreads over trials, trials grouped by condition.

/**
 * Set bits per bin k (bit b of a P × U × T cube is bin b mod T), visiting only the set
 * bits: asking every bin of a full session's cubes, bit by bit, was most of the figures' time.
 */
export function binCounts(bits: Uint8Array, nBits: number, T: number): Uint32Array {
  const counts = new Uint32Array(T);
  forEachSetBit(bits, nBits, (b) => counts[b % T]!++);
  return counts;
}

/** Bins with a spike per unit of a P × U × T cube. */
export function unitCounts(bits: Uint8Array, U: number, T: number, nBits: number): Uint32Array {
  const counts = new Uint32Array(U);
  forEachSetBit(bits, nBits, (b) => counts[Math.floor(b / T) % U]!++);
  return counts;
}

function forEachSetBit(bits: Uint8Array, nBits: number, fn: (b: number) => void) {
  for (let i = 0; i < bits.length; i++) {
    let v = bits[i]!;
    while (v !== 0) {
      const low = v & -v;
      const b = (i << 3) + 31 - Math.clz32(low);
      if (b < nBits) fn(b);
      v ^= low;
    }
  }
}

/**
 * A rate per bin pooled over sessions: spikes in bin k over every (trial, unit) that has a
 * bin k — sessions of one stimulus can differ in their number of bins (each is ceil(its
 * longest presentation / bin width)) — divided by the bin width: spikes/s, where a bin
 * counts one spike however many it held (the tensors are binary).
 */
export class PooledRate {
  private spikes = new Float64Array(0);
  private samples = new Float64Array(0);
  units = 0;
  sessions = 0;

  add(counts: Uint32Array, trialsTimesUnits: number, units: number) {
    this.grow(counts.length);
    for (let k = 0; k < counts.length; k++) {
      this.spikes[k]! += counts[k]!;
      this.samples[k]! += trialsTimesUnits;
    }
    this.units += units;
    this.sessions++;
  }

  rate(binWidth: number): Float64Array {
    return Float64Array.from(this.spikes, (s, k) => s / this.samples[k]! / binWidth);
  }

  private grow(T: number) {
    if (T <= this.spikes.length) return;
    const s = new Float64Array(T),
      n = new Float64Array(T);
    s.set(this.spikes);
    n.set(this.samples);
    this.spikes = s;
    this.samples = n;
  }
}

/**
 * Mean and standard deviation (ddof 0, as numpy.std) per bin over trials of P × T signals;
 * NaN samples are skipped. Sums are of x − K, K the bin's first sample (the shifted-data
 * algorithm: no cancellation when the spread is small beside the mean, as pupil areas are).
 */
export class TrialSpread {
  private shift = new Float64Array(0);
  private sum = new Float64Array(0);
  private sumSq = new Float64Array(0);
  private n = new Float64Array(0);
  trials = 0;
  sessions = 0;

  add(values: Float32Array, P: number, T: number) {
    if (T > this.sum.length) {
      const grow = (a: Float64Array) => {
        const b = new Float64Array(T);
        b.set(a);
        return b;
      };
      this.shift = grow(this.shift);
      this.sum = grow(this.sum);
      this.sumSq = grow(this.sumSq);
      this.n = grow(this.n);
    }
    for (let p = 0; p < P; p++)
      for (let k = 0; k < T; k++) {
        const v = values[p * T + k]!;
        if (Number.isNaN(v)) continue;
        if (this.n[k] === 0) this.shift[k] = v;
        const d = v - this.shift[k]!;
        this.sum[k]! += d;
        this.sumSq[k]! += d * d;
        this.n[k]!++;
      }
    this.trials += P;
    this.sessions++;
  }

  mean(): Float64Array {
    return Float64Array.from(this.sum, (s, k) => this.shift[k]! + s / this.n[k]!);
  }

  sd(): Float64Array {
    return Float64Array.from(this.sum, (s, k) => {
      const n = this.n[k]!;
      return Math.sqrt(Math.max(0, (this.sumSq[k]! - (s * s) / n) / n));
    });
  }
}

export interface Condition {
  /** the parameter's value (NaN: not a number) */
  value: number;
  /** indices of its trials, in presentation order */
  trials: number[];
}

/** Trials grouped by a parameter's value, ascending (NaN last), each group in presentation order (by start time, then index). */
export function conditions(values: ArrayLike<number>, start: ArrayLike<number>): Condition[] {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => start[a]! - start[b]! || a - b);
  const groups = new Map<string, Condition>();
  for (const i of order) {
    const v = values[i]!;
    const key = Number.isNaN(v) ? "NaN" : String(v);
    const g = groups.get(key) ?? groups.set(key, { value: v, trials: [] }).get(key)!;
    g.trials.push(i);
  }
  return [...groups.values()].sort((a, b) => (Number.isNaN(a.value) ? 1 : Number.isNaN(b.value) ? -1 : a.value - b.value));
}
