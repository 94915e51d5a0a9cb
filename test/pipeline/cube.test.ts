// The cube's bit packing: unpack gives back every bit, at any starting presentation.
import { describe, it, expect } from "vitest";
import { unpack, packedLength } from "../../tasks/formats/cube.js";

describe("cube bit unpacking", () => {
  it("returns exactly the bits set, for every slice of presentations", () => {
    const P = 7,
      U = 3,
      T = 5; // 105 bits: slices start off byte boundaries
    const bits = new Uint8Array(packedLength(P * U * T));
    const want = new Uint8Array(P * U * T);
    for (let i = 0; i < want.length; i++)
      if ((i * 7919) % 13 < 4) {
        want[i] = 1;
        bits[i >>> 3] = bits[i >>> 3]! | (1 << (i & 7));
      }
    for (let p0 = 0; p0 < P; p0++)
      for (let p1 = p0; p1 <= P; p1++) {
        expect(Array.from(unpack(bits, U, T, p0, p1))).toEqual(Array.from(want.subarray(p0 * U * T, p1 * U * T)));
      }
  });
});
