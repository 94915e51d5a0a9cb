import { describe, it, expect } from "vitest";
import { writeFileSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { toyWorkspace, runJson } from "../rig.js";
import { Session } from "../../engine/session/session.js";
import { readConfig } from "../../engine/session/config.js";
import { parseStepLine } from "../../engine/cli/command-line.js";
import { hashCounter } from "../../engine/hash/sha256.js";

async function statusInProcess(ws: string) {
  const s = await Session.open(readConfig({ file: join(ws, "pipeline.yaml") }, {}), { warn: () => {}, parseStep: parseStepLine }, "plan");
  const planner = await s.planner();
  const states = [];
  for await (const a of planner.assessAll()) states.push(a.state);
  await s.close();
  return states;
}

describe("status on an unchanged workspace", () => {
  it("reads no input or output file (stat cache), and re-reads only a file whose stat changed", async () => {
    const ws = toyWorkspace();
    await runJson(ws);
    await statusInProcess(ws); // warm the stat cache for inputs hashed by the other process
    hashCounter.files = 0;
    const states = await statusInProcess(ws);
    expect(states).toEqual(["up-to-date", "up-to-date", "up-to-date"]);
    expect(hashCounter.files).toBe(0);

    // same content, new mtime: hashed once, still up to date
    utimesSync(join(ws, "in/a.txt"), new Date(), new Date(Date.now() + 5000));
    hashCounter.files = 0;
    expect(await statusInProcess(ws)).toEqual(["up-to-date", "up-to-date", "up-to-date"]);
    expect(hashCounter.files).toBe(1);
    hashCounter.files = 0;
    await statusInProcess(ws);
    expect(hashCounter.files).toBe(0);

    writeFileSync(join(ws, "in/b.txt"), "changed\n");
    hashCounter.files = 0;
    expect(await statusInProcess(ws)).toEqual(["up-to-date", "stale", "stale"]);
    expect(hashCounter.files).toBe(1);
  });
});
