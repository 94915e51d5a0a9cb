// The live progress display on a terminal (done/total, running nodes, elapsed) and the
// plain lines elsewhere.
import { describe, it, expect } from "vitest";
import { PlainReporter, TtyReporter, formatSummary } from "../../engine/report/reporters.js";

describe("reporters", () => {
  it("a terminal gets one redrawn line with done/total, running nodes and elapsed time", () => {
    let out = "";
    const plain = new PlainReporter((s) => (out += s), (s) => (out += s));
    const tty = new TtyReporter((s) => (out += s), plain);
    tty.emit({ type: "plan", total: 3 });
    tty.emit({ type: "node-start", id: "bin[session=1,stimulus=a]", action: "run" });
    tty.emit({ type: "node-start", id: "bin[session=2,stimulus=a]", action: "run" });
    expect(out.split("\r").pop()).toMatch(/^\x1b\[2K\[0\/3\] \d+s bin\[session=1,stimulus=a\], bin\[session=2,stimulus=a\]$/);
    tty.emit({ type: "node-done", id: "bin[session=1,stimulus=a]", outcome: "ran", ms: 1200 });
    expect(out).toContain("✔ bin[session=1,stimulus=a] (1.2 s)\n");
    expect(out.split("\r").pop()).toMatch(/^\x1b\[2K\[1\/3\] \d+s bin\[session=2,stimulus=a\]$/);
    tty.emit({ type: "node-done", id: "x", outcome: "up-to-date", ms: 0 });
    expect(out).not.toContain("x (");
    tty.stop();
    expect(out.endsWith("\r\x1b[2K")).toBe(true);
  });

  it("elsewhere plain lines, failures on stderr, task logs with --verbose", () => {
    const out: string[] = [], err: string[] = [];
    const r = new PlainReporter((s) => out.push(s), (s) => err.push(s), true);
    r.emit({ type: "node-start", id: "a", action: "run" });
    r.emit({ type: "node-log", id: "a", line: "62 units" });
    r.emit({ type: "node-done", id: "a", outcome: "failed", ms: 5, error: "boom", detail: "stack" });
    r.emit({ type: "node-done", id: "b", outcome: "restored", ms: 5 });
    expect(out).toEqual(["▶ a\n", "  a: 62 units\n", "↺ b restored from cache\n"]);
    expect(err).toEqual(["✘ a: boom\n", "stack\n"]);
    expect(formatSummary({ ran: ["a"], restored: [], upToDate: ["b", "c"], failed: [], skipped: ["d[x=1]", "d[x=2]", "e"], wallMs: 1500 })).toBe("skipped because of the failure: d ×2, e ×1 (-v lists them)\n1 ran, 0 restored, 2 up to date, 0 failed, 3 skipped in 1.5 s");
    expect(formatSummary({ ran: [], restored: [], upToDate: [], failed: [], skipped: ["d[x=1]"], wallMs: 0 }, true)).toBe("0 ran, 0 restored, 0 up to date, 0 failed, 1 skipped in 0.0 s");
  });
});
