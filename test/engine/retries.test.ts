// resources: { retries: N } runs a failed node again, up to N more times, each attempt in
// the run record; a task that fails every time still fails once it is out of tries.
import { describe, it, expect } from "vitest";
import { flow, read, runJson, toyWorkspace } from "../rig.js";

const yaml = (retries: number) => `version: 1
tasks:
  flaky:
    run: { argv: [/bin/sh, -c, 'n=$(cat tries 2>/dev/null || echo 0); n=$((n+1)); echo $n > tries; if [ $n -lt 3 ]; then echo "attempt $n fails" >&2; exit 1; fi; echo ok > "$0"', "\${out.o}"] }
    outputs: { o: out/flaky.txt }
    resources: { retries: ${retries} }
`;

describe("retries", () => {
  it("a flaky task succeeds on its third attempt; every attempt is in the run record", async () => {
    const ws = toyWorkspace({ "pipeline.yaml": yaml(2) });
    const r = await runJson(ws);
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary.ran).toEqual(["flaky"]);
    expect(read(ws, "out/flaky.txt")).toBe("ok\n");
    expect(r.stderr).toMatch(/↻ flaky: \/bin\/sh failed \(exit code 1\): attempt 1 fails — running it again \(2 tries left\)/);
    const last = JSON.parse((await flow(ws, "log", "--run", "last", "--json")).stdout);
    expect(last.nodes.map((n: { outcome: string; attempt?: number }) => [n.outcome, n.attempt])).toEqual([
      ["failed", undefined],
      ["failed", 2],
      ["ran", 3],
    ]);
  });

  it("out of tries, the node fails", async () => {
    const ws = toyWorkspace({ "pipeline.yaml": yaml(1) });
    const r = await runJson(ws);
    expect(r.code).toBe(1);
    expect(r.summary.failed).toEqual([{ id: "flaky", error: "/bin/sh failed (exit code 1): attempt 2 fails" }]);
  });
});
