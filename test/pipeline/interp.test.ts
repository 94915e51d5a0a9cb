// numpy.interp semantics (values worked out by hand from numpy's definition).
import { describe, it, expect } from "vitest";
import { interpSorted } from "../../tasks/science/interpolation.js";

const f = (x: number[], xp: number[], fp: number[]) => Array.from(interpSorted(Float64Array.from(x), Float64Array.from(xp), Float64Array.from(fp)));

describe("interpSorted = numpy.interp", () => {
  it("clamps at both ends and returns samples exactly", () => {
    expect(f([-1, 0, 1, 2, 3], [0, 1, 2], [10, 20, 40])).toEqual([10, 10, 20, 40, 40]);
  });
  it("interpolates linearly between samples", () => {
    expect(f([0.5, 1.25, 1.5], [0, 1, 2], [10, 20, 40])).toEqual([15, 25, 30]);
  });
  it("handles queries that go back in time (overlapping presentations)", () => {
    expect(f([1.5, 0.5, 1.75], [0, 1, 2], [0, 10, 20])).toEqual([15, 5, 17.5]);
  });
  it("NaN in the samples: numpy's fallbacks", () => {
    expect(f([0.5, 1.5], [0, 1, 2], [0, NaN, 2]).map(Number.isNaN)).toEqual([true, true]);
    expect(f([1], [0, 1, 2], [0, NaN, 2]).map(Number.isNaN)).toEqual([true]);
  });
  it("uses numpy's formula slope·(x − xp[j]) + fp[j] bit for bit", () => {
    const xp = [0.1, 0.7],
      fp = [0.3, 0.9],
      x = 0.4;
    const slope = (fp[1]! - fp[0]!) / (xp[1]! - xp[0]!);
    expect(f([x], xp, fp)[0]).toBe(slope * (x - xp[0]!) + fp[0]!);
  });
});
