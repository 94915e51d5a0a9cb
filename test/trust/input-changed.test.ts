// An input replaced while its node runs. The key was computed from file A, the
// task read file B: nothing may be stored under A's key.
import { describe, it, expect } from "vitest";
import { readdirSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { toyWorkspace, flow, runJson, statusJson, read } from "../rig.js";

// The task itself swaps its input before reading it (once: while swap/once exists).
const yaml = `version: 1
tasks:
  copy:
    run: { argv: [/bin/sh, -c, 'if [ -e swap/once ]; then rm swap/once; cp swap/b.txt in/a.txt; fi; cp "$1" "$0"', "\${out.o}", "\${in.src}"] }
    inputs: { src: in/a.txt }
    outputs: { o: out/a.txt }
`;

describe("an input that changes while its task runs", () => {
  it("fails the node, stores and records nothing; with the old input back, the node runs again", async () => {
    const ws = toyWorkspace({ "pipeline.yaml": yaml, "swap/b.txt": "BETA\n", "swap/once": "" });
    const r = await runJson(ws);
    expect(r.code).toBe(1);
    expect(r.summary.failed).toEqual([{ id: "copy", error: "input changed while the task ran: in/a.txt" }]);
    expect(existsSync(join(ws, "out/a.txt"))).toBe(false);
    expect(existsSync(join(ws, "cache/objects")) ? readdirSync(join(ws, "cache/objects")) : []).toEqual([]);
    // Put A back: not up to date with B's result, and nothing in the cache to restore.
    writeFileSync(join(ws, "in/a.txt"), "alpha\n");
    expect((await statusJson(ws)).map((n) => n.state)).toEqual(["never-run"]);
    const again = await runJson(ws);
    expect(again.summary.ran).toEqual(["copy"]);
    expect(read(ws, "out/a.txt")).toBe("alpha\n");
    const log = await flow(ws, "log", "--json");
    const recs = JSON.parse(log.stdout) as { status: string; error?: string }[];
    expect(recs.map((x) => x.status)).toEqual(["failed", "ok"]);
  });
});
