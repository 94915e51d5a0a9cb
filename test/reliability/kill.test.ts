// Kill -9 anywhere: the stress script of bench/kill-stress.ts with 8 kill points spread
// from start-up to the last node (the benchmark runs 20: `node bin/run-ts.js
// bench/kill-stress.ts`; a heavy check belongs in bench/, and each trial costs ~20 s
// here beside the other test files).
import { describe, it, expect } from "vitest";
import { stress } from "../../bench/kill-stress.js";

const TRIALS = 8;

describe("kill -9 at any moment", () => {
  it(`${TRIALS}/${TRIALS} trials recover: identical outputs, all up to date, gc consistent`, async () => {
    const lines: string[] = [];
    const ok = await stress(TRIALS, (m) => lines.push(m));
    expect(lines.filter((l) => l.includes("FAILED"))).toEqual([]);
    expect(ok).toBe(TRIALS);
  }, 600_000);
});
