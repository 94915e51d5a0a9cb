// CSV numbers are written as Python's repr(float) writes them (values from Python 3.11).
import { describe, it, expect } from "vitest";
import { pyFloat, toCsv, parseCsv } from "../../tasks/formats/pyfmt.js";

describe("pyFloat = Python repr(float)", () => {
  it("matches Python on plain, integer, tiny, huge and subnormal values", () => {
    const xs = [
      118,
      0.25,
      1e-5,
      0.0001,
      1.5e-7,
      123456789012345678,
      1e16,
      9999999999999998,
      29.332430067498994,
      -0.00012,
      0.1 + 0.2,
      1e22,
      5e-324,
      -3,
    ];
    expect(xs.map(pyFloat)).toEqual([
      "118.0",
      "0.25",
      "1e-05",
      "0.0001",
      "1.5e-07",
      "1.2345678901234568e+17",
      "1e+16",
      "9999999999999998.0",
      "29.332430067498994",
      "-0.00012",
      "0.30000000000000004",
      "1e+22",
      "5e-324",
      "-3.0",
    ]);
  });
  it("round-trips every value exactly", () => {
    for (const x of [Math.PI * 1e-9, 2 / 3, 1e300, -1e-300, 30.025099999977556]) expect(Number(pyFloat(x))).toBe(x);
  });
  it("writes and reads CSV cells with quotes, NaN as empty and integer columns", () => {
    const text = toCsv(
      ["a", "b", "n"],
      [
        ["[20.0, 20.0]", NaN, 7],
        ['say "hi"', 0.5, 8],
      ],
      new Set(["n"]),
    );
    expect(text).toBe('a,b,n\n"[20.0, 20.0]",,7\n"say ""hi""",0.5,8\n');
    expect(parseCsv(text)).toEqual({
      columns: ["a", "b", "n"],
      rows: [
        ["[20.0, 20.0]", "", "7"],
        ['say "hi"', "0.5", "8"],
      ],
    });
  });
});
