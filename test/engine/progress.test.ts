// Honest progress: [n/N] counts the nodes that need work (to run or restore), known when
// the run starts; with elapsed time and an ETA on a terminal, names never cut
// mid-bracket; without a terminal one timestamped line per finished node.
import { describe, it, expect } from "vitest";
import { PlainReporter, TtyReporter, formatSummary } from "../../engine/reporters/console.js";
import type { NodeOutcome } from "../../engine/model/outcome.js";

const last = (out: string) => out.split("\r").pop()!;
const ran = (id: string, ms: number): NodeOutcome => ({ ok: true, kind: "ran", id, outputs: {}, startedAt: 0, ms });
const done = (outcome: NodeOutcome, counted = true) => ({ type: "node-done" as const, outcome, counted });

describe("reporters", () => {
  it("a terminal: [n/N] over the nodes with work, elapsed, ETA, whole names only", () => {
    let out = "";
    const plain = new PlainReporter(
      (s) => (out += s),
      (s) => (out += s),
    );
    const tty = new TtyReporter(
      (s) => (out += s),
      plain,
      () => 72,
    );
    tty.emit({ type: "plan", todo: 3 });
    for (let i = 0; i < 7; i++) tty.emit(done({ ok: true, kind: "up-to-date", id: `up[i=${i}]`, outputs: {}, startedAt: 0, ms: 0 }, false));
    tty.emit({ type: "node-start", id: "bin[session=1,stimulus=a]", action: "run" });
    tty.emit({ type: "node-start", id: "bin[session=2,stimulus=a]", action: "run" });
    tty.emit({ type: "node-start", id: "bin[session=3,stimulus=a]", action: "run" });
    // 7 up to date: 3 to do, not 10; the third name does not fit in 72 columns: counted, not cut
    expect(last(out)).toMatch(/^\x1b\[2K\[0\/3\] \d+s bin\[session=1,stimulus=a\], bin\[session=2,stimulus=a\] \+1$/);
    tty.emit(done(ran("bin[session=1,stimulus=a]", 1200)));
    expect(out).toMatch(/\d\d:\d\d:\d\d \[1\/3\] ✔ bin\[session=1,stimulus=a\] \(1\.2 s\)\n/);
    expect(last(out)).toMatch(/^\x1b\[2K\[1\/3\] \d+s ETA ~\d+s bin\[session=2,stimulus=a\], bin\[session=3,stimulus=a\]$/);
    expect(out).not.toContain("up[i=0]");
    tty.stop();
    expect(out.endsWith("\r\x1b[2K")).toBe(true);
  });

  it("elsewhere one line per finished node with [n/N] and the time; failures on stderr; starts and task logs with --verbose", () => {
    const out: string[] = [],
      err: string[] = [];
    const quiet = new PlainReporter(
      (s) => out.push(s),
      (s) => err.push(s),
    );
    quiet.emit({ type: "plan", todo: 2 });
    quiet.emit({ type: "node-start", id: "a", action: "run" });
    quiet.emit(done({ ok: true, kind: "up-to-date", id: "c", outputs: {}, startedAt: 0, ms: 0 }, false));
    quiet.emit(done(ran("a", 1500)));
    quiet.emit(done({ ok: true, kind: "restored", id: "b", outputs: {}, startedAt: 0, ms: 5 }));
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^\d\d:\d\d:\d\d \[1\/2\] ✔ a \(1\.5 s\)\n$/);
    expect(out[1]).toMatch(/^\d\d:\d\d:\d\d \[2\/2\] ↺ b restored from cache\n$/);

    const vout: string[] = [],
      verr: string[] = [];
    const r = new PlainReporter(
      (s) => vout.push(s),
      (s) => verr.push(s),
      true,
    );
    r.emit({ type: "plan", todo: 1 });
    r.emit({ type: "node-start", id: "a", action: "run" });
    r.emit({ type: "node-log", id: "a", line: "62 units" });
    r.emit(done({ ok: false, reason: "task-failed", id: "a", startedAt: 0, ms: 5, message: "boom", detail: "stack" }));
    expect(vout).toEqual(["▶ a\n", "  a: 62 units\n"]);
    expect(verr[0]).toMatch(/^\d\d:\d\d:\d\d \[1\/1\] ✘ a: boom\n$/);
    expect(verr[1]).toBe("stack\n");
    expect(formatSummary({ ran: ["a"], restored: [], upToDate: ["b", "c"], failed: [], skipped: ["d[x=1]", "d[x=2]", "e"], wallMs: 1500 })).toBe(
      "skipped because of the failure: d ×2, e ×1 (-v lists them)\n1 ran, 0 restored, 2 up to date, 0 failed, 3 skipped in 1.5 s",
    );
    expect(formatSummary({ ran: [], restored: [], upToDate: [], failed: [], skipped: ["d[x=1]"], wallMs: 0 }, true)).toBe(
      "0 ran, 0 restored, 0 up to date, 0 failed, 1 skipped in 0.0 s",
    );
  });
});

describe("the counter over a whole run", () => {
  it("after an invalidation, N is right from the first line: the invalidated nodes, not the graph", async () => {
    const { toyWorkspace, flow } = await import("../rig.js");
    const ws = toyWorkspace({ "in/c.txt": "gamma\n", "in/d.txt": "delta\n" });
    expect((await flow(ws, "run")).code).toBe(0);
    expect((await flow(ws, "invalidate", "name=b")).code).toBe(0); // upper[name=b] and concat downstream
    const r = await flow(ws, "run");
    expect(r.code).toBe(0);
    const counters = [...r.stdout.matchAll(/\[(\d+)\/(\d+)\]/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(counters).toEqual([
      [1, 2],
      [2, 2],
    ]);
    expect(r.stdout).toContain("2 ran, 0 restored, 3 up to date");
  });
});
