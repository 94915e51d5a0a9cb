// The raster figures' PSTH counts the set bits of each time bin of a P × U × T bit cube
// (tasks/science/summaries.ts, binCounts). Checked against asking every bit in turn, on
// cubes whose length is no whole number of bytes — with stray bits set past the end,
// which must not count.
import { describe, it, expect } from "vitest";
import { binCounts } from "../../tasks/science/summaries.js";

describe("binCounts", () => {
  it("equals a bit-by-bit count per bin, ignoring bits past the cube", () => {
    let seed = 7,
      total = 0;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (const [P, U, T] of [
      [3, 5, 7],
      [30, 13, 101],
      [1, 1, 1],
      [17, 3, 6006],
    ] as const) {
      const n = P * U * T;
      const bits = new Uint8Array(Math.ceil(n / 8) + 1);
      for (let b = 0; b < n; b++) if (rand() < 0.15) bits[b >>> 3]! |= 1 << (b & 7);
      for (let b = n; b < bits.length * 8; b++) bits[b >>> 3]! |= 1 << (b & 7); // stray bits past the end
      const want = new Array<number>(T).fill(0);
      for (let p = 0; p < P; p++)
        for (let u = 0; u < U; u++)
          for (let k = 0; k < T; k++) {
            const b = (p * U + u) * T + k;
            if ((bits[b >>> 3]! >>> (b & 7)) & 1) want[k]!++;
          }
      expect(Array.from(binCounts(bits, n, T))).toEqual(want);
      total += want.reduce((a, c) => a + c, 0);
    }
    expect(total).toBeGreaterThan(1000);
  });
});
