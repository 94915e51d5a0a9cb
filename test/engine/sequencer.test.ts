// The suite's start order names real files: a renamed test file must not silently fall
// back to starting last.
import { describe, it, expect } from "vitest";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { SLOWEST_FIRST } from "../sequencer.js";

describe("the slowest-first start order", () => {
  it("names only test files that exist", () => {
    const root = join(import.meta.dirname, "../..");
    expect(SLOWEST_FIRST.filter((f) => !existsSync(join(root, f)))).toEqual([]);
    expect(new Set(SLOWEST_FIRST).size).toBe(SLOWEST_FIRST.length);
  });
});
