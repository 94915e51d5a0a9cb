// `flow invalidate` marks nodes stale until each is recorded again: a node that finished
// is up to date afterwards, whatever stopped the run — an interrupt after some of the
// invalidated nodes finished loses none of their work.
import { describe, it, expect } from "vitest";
import { spawn } from "node:child_process";
import { FLOW, GATE_SH, flow, gates, runJson, statusJson, toyWorkspace } from "../rig.js";

const yaml = `version: 1
params:
  names: { default: [a, b, c, d], type: array, items: { type: string } }
sets:
  n: { param: names }
tasks:
  quick:
    run: { argv: [/bin/sh, -c, 'echo "$1" > "$0"', "\${out.o}", "\${n}"] }
    foreach: [n]
    outputs: { o: "out/\${n}.txt" }
  last:
    run: { argv: [/bin/sh, -c, '${GATE_SH("last", 'cat "$@" > "$0"')}', "\${out.o}", "\${in.parts}"] }
    inputs: { parts: { from: quick, output: o } }
    outputs: { o: out/all.txt }
`;

describe("an interrupted run after an invalidation", () => {
  it("keeps what finished: only the unfinished invalidated nodes run again", async () => {
    const ws = toyWorkspace({ "pipeline.yaml": yaml });
    const g = gates(ws);
    g.release("last");
    expect((await runJson(ws)).code).toBe(0);
    expect((await flow(ws, "invalidate", "task=quick")).code).toBe(0); // the four and `last` downstream
    expect((await statusJson(ws)).filter((n) => n.state === "stale")).toHaveLength(5);
    // run again, and interrupt it while `last` waits at its gate: the four quick ones are done
    const { rmSync } = await import("node:fs");
    rmSync(`${ws}/gates`, { recursive: true, force: true });
    const child = spawn(process.execPath, [FLOW, "run", "-j", "1"], { cwd: ws, detached: true, stdio: "ignore" });
    const closed = new Promise<number | null>((res) => child.on("close", (code) => res(code)));
    await g.started("last");
    process.kill(-child.pid!, "SIGINT");
    expect(await closed).toBe(130);
    const st = await statusJson(ws);
    expect(st.filter((n) => n.task === "quick").map((n) => n.state)).toEqual(["up-to-date", "up-to-date", "up-to-date", "up-to-date"]);
    expect(st.find((n) => n.id === "last")!.reasons).toEqual(["invalidated"]);
    g.release("last");
    const next = await runJson(ws);
    expect(next.summary.ran).toEqual(["last"]);
  }, 60_000);
});
