import { describe, it, expect } from "vitest";
import { toyWorkspace, runJson, flow, statusJson } from "../rig.js";

describe("flow invalidate", () => {
  it("marks matching nodes and everything downstream stale, and the next run recomputes them", async () => {
    const ws = toyWorkspace();
    await runJson(ws);
    const inv = await flow(ws, "invalidate", "name=a", "--json");
    expect(inv.code).toBe(0);
    expect(JSON.parse(inv.stdout).invalidated).toEqual(["upper[name=a]", "concat"]);
    const st = await statusJson(ws);
    expect(st.find((n) => n.id === "upper[name=a]")).toMatchObject({ state: "stale", reasons: ["invalidated"] });
    expect(st.find((n) => n.id === "upper[name=b]")!.state).toBe("up-to-date");
    const r = await runJson(ws);
    expect(r.summary.ran.sort()).toEqual(["concat", "upper[name=a]"]); // recomputed although cached
    expect((await runJson(ws)).summary.ran).toEqual([]);
  });

  it("selectors AND together; task= selects a task", async () => {
    const ws = toyWorkspace();
    await runJson(ws);
    const inv = await flow(ws, "invalidate", "task=upper", "name=b", "--json");
    expect(JSON.parse(inv.stdout).invalidated).toEqual(["upper[name=b]", "concat"]);
  });

  it("a selector that matches nothing is an error listing valid keys and values", async () => {
    const ws = toyWorkspace();
    const badKey = await flow(ws, "invalidate", "nmae=a");
    expect(badKey.code).toBe(2);
    expect(badKey.stderr.trim()).toBe("flow: selector 'nmae=a': unknown key 'nmae' (keys: task, name)");
    const badValue = await flow(ws, "invalidate", "name=c");
    expect(badValue.code).toBe(2);
    expect(badValue.stderr.trim()).toBe("flow: selector 'name=c': no node has name=c (values: a, b)");
    const none = await flow(ws, "invalidate", "task=concat", "name=a");
    expect(none.stderr).toContain("match no node together");
    expect(await statusJson(ws)).toSatisfy((rows: { state: string }[]) => rows.every((r) => r.state === "never-run"));
  });
});
