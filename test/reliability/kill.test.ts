// Kill -9 anywhere (the stress script of bench/kill-stress.ts, 20 trials).
import { describe, it, expect } from "vitest";
import { stress } from "../../bench/kill-stress.js";

describe("kill -9 at any moment", () => {
  it("20/20 trials recover: identical outputs, all up to date, gc consistent", async () => {
    const lines: string[] = [];
    const ok = await stress(20, (m) => lines.push(m));
    expect(lines.filter((l) => l.includes("FAILED"))).toEqual([]);
    expect(ok).toBe(20);
  }, 900_000); // ~10 s a trial alone; two test files share the 2 cores
});
