// Kill -9 anywhere: the stress script of bench/kill-stress.ts with 4 kill points spread
// from start-up to the last node, against the example run the global setup already made
// (the benchmark runs 20 and makes its own: `node bin/run-ts.js bench/kill-stress.ts`; a
// heavy check belongs in bench/, and each trial costs ~12 s here beside the other files).
import { describe, it, expect, inject } from "vitest";
import { join } from "node:path";
import { stress, type FlowCall } from "../../bench/kill-stress.js";
import { flow } from "../rig.js";

const TRIALS = 4;

// The killed run is a real process group (it must be: it is SIGKILLed); the recovery
// run, status, gc and invalidate run in-process, as the rest of the suite does.
const call: FlowCall = async (cwd, ...args) => {
  const r = await flow(cwd, ...args);
  if (r.code !== 0) throw new Error(`flow ${args.join(" ")} failed (${r.code}):\n${r.stderr}`);
  return r;
};

describe("kill -9 at any moment", () => {
  it(`${TRIALS}/${TRIALS} trials recover: identical outputs, all up to date, gc consistent`, async () => {
    const lines: string[] = [];
    const reference = { cache: inject("exampleCache"), data: join(inject("exampleWorkspace"), "data"), coldMs: inject("exampleColdMs") };
    const ok = await stress(TRIALS, (m) => lines.push(m), reference, call);
    expect(lines.filter((l) => l.includes("FAILED"))).toEqual([]);
    expect(lines.filter((l) => l.includes("recovered") && l.startsWith("trial"))).toHaveLength(TRIALS);
    expect(ok).toBe(TRIALS);
  }, 600_000);
});
