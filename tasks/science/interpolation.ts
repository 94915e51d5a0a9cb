// numpy.interp, reproduced formula for formula (numpy/core/src/multiarray/compiled_base.c):
// clamped at the ends, exact sample values returned as they are, slope·(x − xp[j]) + fp[j]
// in between, with numpy's NaN fallbacks. Queries are sorted within each call, so the
// search is a moving pointer.

export function interpSorted(x: Float64Array, xp: Float64Array, fp: Float64Array, out: Float64Array = new Float64Array(x.length)): Float64Array {
  const n = xp.length;
  if (n === 0) throw new Error("interp: empty sample points");
  const left = fp[0]!,
    right = fp[n - 1]!;
  let j = 0;
  for (let i = 0; i < x.length; i++) {
    const xv = x[i]!;
    if (Number.isNaN(xv)) {
      out[i] = xv;
      continue;
    }
    if (xv < xp[0]!) {
      out[i] = left;
      continue;
    }
    if (xv > xp[n - 1]!) {
      out[i] = right;
      continue;
    }
    // j such that xp[j] <= xv < xp[j+1] (or j = n-1 when xv == xp[n-1])
    if (j > 0 && xp[j]! > xv) j = upperBound(xp, xv) - 1;
    while (j + 1 < n && xp[j + 1]! <= xv) j++;
    if (j === n - 1) {
      out[i] = fp[j]!;
      continue;
    }
    if (xp[j] === xv) {
      out[i] = fp[j]!;
      continue;
    }
    const slope = (fp[j + 1]! - fp[j]!) / (xp[j + 1]! - xp[j]!);
    let r = slope * (xv - xp[j]!) + fp[j]!;
    if (Number.isNaN(r)) {
      r = slope * (xv - xp[j + 1]!) + fp[j + 1]!;
      if (Number.isNaN(r) && fp[j] === fp[j + 1]) r = fp[j]!;
    }
    out[i] = r;
  }
  return out;
}

function upperBound(a: Float64Array, v: number): number {
  let lo = 0,
    hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (a[m]! <= v) lo = m + 1;
    else hi = m;
  }
  return lo;
}
