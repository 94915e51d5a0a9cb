// Every record flow reads back is checked against its schema where it is read
// (engine/host/records.ts): a line of the wrong shape in .flow/state.jsonl or a run
// record, or a cache index entry whose outputs are null (another flow version, or anyone,
// wrote it), is skipped with one warning naming the file and line — never exit 70, and
// never taken for what it claims.
import { describe, it, expect } from "vitest";
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { flow, runJson, statusJson, toyWorkspace } from "../rig.js";

describe("records of the wrong shape", () => {
  it("a valid-JSON line of the wrong shape in state.jsonl: one warning with file and line; status, log and run go on", async () => {
    const ws = toyWorkspace();
    expect((await runJson(ws)).code).toBe(0);
    const state = join(ws, ".flow/state.jsonl");
    const n = readFileSync(state, "utf8").trim().split("\n").length;
    appendFileSync(state, JSON.stringify({ id: "upper[name=a]", key: 42, outputs: null }) + "\n");
    const st = await flow(ws, "status");
    expect(st.code).toBe(0);
    expect(st.stderr).toContain(`warning: ${state}:${n + 1}: `);
    expect(st.stderr).toContain("not a valid state record");
    expect((await statusJson(ws)).map((x) => x.state)).toEqual(["up-to-date", "up-to-date", "up-to-date"]); // the bad line counts for nothing
    expect((await flow(ws, "gc", "--dry-run")).code).toBe(0);
    const r = await runJson(ws);
    expect(r.code).toBe(0);
    expect(r.summary.upToDate.length).toBe(3);
  });

  it("a run record line of the wrong shape: log and report go on", async () => {
    const ws = toyWorkspace();
    expect((await runJson(ws)).code).toBe(0);
    const runs = join(ws, ".flow/runs");
    const file = join(
      runs,
      readdirSync(runs).find((f) => f.endsWith(".jsonl"))!,
    );
    appendFileSync(file, JSON.stringify({ type: "node", id: 7 }) + "\n");
    const log = await flow(ws, "log", "--run", "last");
    expect(log.code).toBe(0);
    expect(log.stderr).toMatch(/warning: .*\.jsonl:\d+: .* — skipped: not a valid run record/);
    expect((await flow(ws, "log", "--runs")).code).toBe(0);
    expect((await flow(ws, "report", "-o", join(ws, "r.html"))).code).toBe(0);
  });

  it("an index entry whose outputs are null is no hit: the node runs, with one warning", async () => {
    const ws = toyWorkspace();
    expect((await runJson(ws)).code).toBe(0);
    const state = readFileSync(join(ws, ".flow/state.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .filter((l) => l.id === "upper[name=a]")
      .pop();
    // the file index's entry for that key, overwritten as another program might
    const name = createHash("sha256").update(`flow:${state.key}`).digest("hex");
    const file = join(ws, "cache/index", name.slice(0, 2), `${name}.json`);
    writeFileSync(
      file,
      JSON.stringify({ key: `flow:${state.key}`, value: JSON.stringify({ value: { outputs: null, node: "x", at: "now" }, expires: null }) }),
    );
    writeFileSync(join(ws, "out/a.up"), "gone");
    const st = await flow(ws, "status");
    expect(st.code).toBe(0);
    const r = await runJson(ws);
    expect(r.code).toBe(0);
    expect(r.summary.ran).toEqual(["upper[name=a]"]);
    expect(r.stderr).toContain("upper[name=a]: its cache index entry is not valid");
  });
});
