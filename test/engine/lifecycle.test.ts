// The node lifecycle and the scheduler against the in-memory cache and a fake executor:
// no worker, no object store on disk — what a node's life is (assessed, run, stored,
// restored, settled; or failed with a typed reason) shown without the machinery.
import { describe, it, expect } from "vitest";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readPipeline, expandPipeline } from "../../engine/pipeline/load.js";
import { Planner } from "../../engine/plan/planner.js";
import { MemoryCache } from "../../engine/cache/memory-cache.js";
import { Workspace } from "../../engine/workspace/workspace.js";
import { HashThreads } from "../../engine/hash/hash-threads.js";
import { CodeVersions } from "../../engine/hash/code-version.js";
import { EnvironmentProbes } from "../../engine/hash/environment.js";
import { processNode } from "../../engine/lifecycle/process-node.js";
import { schedule } from "../../engine/schedule/scheduler.js";
import type { Executor, Execution, ExecutionResult } from "../../engine/exec/executor.js";
import type { NodeOutcome } from "../../engine/model/outcome.js";
import type { FlowEvent } from "../../engine/model/events.js";
import { tempDir, write } from "../rig.js";

const yaml = `version: 1
params:
  suffix: "!"
sets:
  name: { values: [a, b, c] }
tasks:
  upper:
    run: { argv: [upper] }
    foreach: [name]
    params: [suffix]
    inputs: { src: "in/\${name}.txt" }
    outputs: { o: "out/\${name}.up" }
  all:
    run: { argv: [concat] }
    inputs: { parts: { from: upper, output: o } }
    outputs: { o: out/all.txt }
`;

/** A fake executor: "upper" upper-cases its input (or fails on "boom"), "concat" joins its parts. */
class FakeExecutor implements Executor {
  readonly where = "here";
  readonly seen: string[] = [];
  async execute(x: Execution): Promise<ExecutionResult> {
    this.seen.push(x.node);
    const argv0 = "argv" in x.run ? x.run.argv[0] : "";
    const inputs = Object.values(x.inputs).flat();
    const text = inputs.map((p) => readFileSync(p, "utf8")).join("");
    if (text.includes("boom")) return { ok: false, reason: "task-failed", message: "it went boom", output: "boom\n" };
    writeFileSync(Object.values(x.outputs)[0] as string, argv0 === "upper" ? text.toUpperCase() + x.params.suffix : text);
    return { ok: true, output: "" };
  }
  async close() {}
}

function setup(dir: string) {
  write(dir, { "pipeline.yaml": yaml, "in/a.txt": "alpha\n", "in/b.txt": "beta\n", "in/c.txt": "gamma\n" });
  return dir;
}

/** One run over the lifecycle: the outcomes by node, and the events. */
async function runOnce(dir: string, cache: MemoryCache, executor: FakeExecutor) {
  const pipeline = expandPipeline(readPipeline(join(dir, "pipeline.yaml")));
  const threads = new HashThreads(1);
  const ws = new Workspace(dir, threads);
  const planner = new Planner({
    root: dir,
    nodes: pipeline.nodes,
    stat: ws.stat,
    code: new CodeVersions(dir),
    probes: new EnvironmentProbes(dir),
    state: ws.state,
    cache,
  });
  const events: FlowEvent[] = [];
  const outcomes = new Map<string, NodeOutcome>();
  const ctx = {
    root: dir,
    planner,
    cache,
    executor,
    state: ws.state,
    stat: ws.stat,
    tmpDir: ws.tmpDir,
    provenance: { append: () => {} },
    taskOutput: () => {},
    logger: { emit: (e: FlowEvent) => void events.push(e) },
    claimed: new Set<string>(),
    live: false,
    materialise: true,
  };
  await schedule(
    pipeline.nodes,
    pipeline.deps,
    pipeline.dag,
    { jobs: 2, keepGoing: true },
    {
      run: async (n) => {
        const o = await processNode(n, ctx);
        outcomes.set(n.id, o);
        return o.ok;
      },
      skip: (n, upstream) =>
        outcomes.set(n.id, { ok: false, reason: upstream ? "upstream-failed" : "stopped", id: n.id, message: "", startedAt: 0, ms: 0 }),
    },
  );
  ws.save();
  await threads.close();
  return { outcomes, events, kinds: Object.fromEntries([...outcomes].map(([id, o]) => [id, o.ok ? o.kind : o.reason])) };
}

describe("the node lifecycle, with an in-memory cache", () => {
  it("runs, stores and settles; then is up to date; restores what the workspace lost; recomputes a corrupt object", async () => {
    const dir = setup(tempDir());
    const cache = new MemoryCache();
    const ex = new FakeExecutor();
    const first = await runOnce(dir, cache, ex);
    expect(first.kinds).toEqual({ "upper[name=a]": "ran", "upper[name=b]": "ran", "upper[name=c]": "ran", all: "ran" });
    expect(readFileSync(join(dir, "out/all.txt"), "utf8")).toBe("ALPHA\n!BETA\n!GAMMA\n!");
    expect(cache.entries.size).toBe(4);
    expect((await runOnce(dir, cache, ex)).kinds).toEqual({
      "upper[name=a]": "up-to-date",
      "upper[name=b]": "up-to-date",
      "upper[name=c]": "up-to-date",
      all: "up-to-date",
    });
    rmSync(join(dir, "out/b.up"));
    const restored = await runOnce(dir, cache, ex);
    expect(restored.kinds["upper[name=b]"]).toBe("restored");
    expect(readFileSync(join(dir, "out/b.up"), "utf8")).toBe("BETA\n!");
    // an object that no longer holds its bytes: the restore refuses it, the node runs
    const h = [...cache.objects.keys()].find((k) => cache.objects.get(k)!.toString() === "GAMMA\n!")!;
    cache.objects.set(h, Buffer.from("GARBAGE"));
    rmSync(join(dir, "out/c.up"));
    ex.seen.length = 0;
    const again = await runOnce(dir, cache, ex);
    expect(again.kinds["upper[name=c]"]).toBe("ran");
    expect(ex.seen).toEqual(["upper[name=c]"]);
    expect(again.events.some((e) => e.type === "warn" && e.message.includes("upper[name=c]: cache object corrupt"))).toBe(true);
    expect(readFileSync(join(dir, "out/c.up"), "utf8")).toBe("GAMMA\n!");
  });

  it("a failure is a typed reason; its dependents are skipped, the rest completes; a missing input is its own reason", async () => {
    const dir = setup(tempDir());
    writeFileSync(join(dir, "in/b.txt"), "boom\n");
    rmSync(join(dir, "in/c.txt"));
    const r = await runOnce(dir, new MemoryCache(), new FakeExecutor());
    expect(r.kinds).toEqual({ "upper[name=a]": "ran", "upper[name=b]": "task-failed", "upper[name=c]": "input-missing", all: "upstream-failed" });
    const b = r.outcomes.get("upper[name=b]")!;
    expect(!b.ok && b.message).toBe("it went boom");
    const c = r.outcomes.get("upper[name=c]")!;
    expect(!c.ok && c.message).toBe("input file missing: in/c.txt");
    expect(existsSync(join(dir, "out/b.up"))).toBe(false);
  });
});
