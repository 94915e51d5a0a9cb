// The smaller holes — a corrupt object after invalidate, a torn record line,
// nested outputs, temp leftovers, flow log's selector keys.
import { describe, it, expect } from "vitest";
import { readdirSync, writeFileSync, chmodSync, appendFileSync, mkdirSync, existsSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { hostname } from "node:os";
import { toyWorkspace, flow, runJson, read, objects } from "../rig.js";
import { hostTag } from "../../engine/host/process.js";

describe("smaller holes", () => {
  it("a corrupt object, then invalidate: the next run recomputes and replaces the bad object", async () => {
    const ws = toyWorkspace();
    await runJson(ws);
    for (const o of objects(ws)) {
      chmodSync(o, 0o644);
      writeFileSync(o, "garbage");
    }
    expect((await flow(ws, "invalidate", "task=upper")).code).toBe(0);
    const r = await runJson(ws);
    expect(r.code).toBe(0);
    expect(r.summary.ran.sort()).toEqual(["concat", "upper[name=a]", "upper[name=b]"]);
    expect(read(ws, "out/all.txt")).toBe("ALPHA\n!BETA\n!");
    // the store holds good objects again: deleting the outputs restores them
    const again = await runJson(ws, "--set", "suffix=?");
    expect(again.code).toBe(0);
    const back = await runJson(ws);
    expect(back.summary.restored.sort()).toEqual(["concat", "upper[name=a]", "upper[name=b]"]);
  });

  it("a torn last line in the records does not swallow the next record", async () => {
    const ws = toyWorkspace();
    await runJson(ws, "name=a");
    const dir = join(ws, "cache/records");
    const file = join(dir, readdirSync(dir)[0]!);
    appendFileSync(file, '{"node":"torn","st'); // a crash mid-line
    await runJson(ws, "name=b");
    const recs = JSON.parse((await flow(ws, "log", "--json")).stdout) as { node: string }[];
    expect(recs.map((r) => r.node)).toEqual(["upper[name=a]", "upper[name=b]"]);
  });

  it("outputs nested in each other are refused at load", async () => {
    const ws = toyWorkspace({
      "pipeline.yaml": `version: 1
tasks:
  a:
    run: { argv: [/usr/bin/touch, "\${out.o}"] }
    outputs: { o: out/x }
  b:
    run: { argv: [/usr/bin/touch, "\${out.o}"] }
    outputs: { o: out/x/y }
`,
    });
    const r = await flow(ws, "status");
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("flow: pipeline.yaml:8 (tasks.b.outputs): output out/x/y of b lies inside output out/x of a");
  });

  it("temp leftovers of dead writers are swept by the next run: outputs, objects, .flow/tmp", async () => {
    const ws = toyWorkspace();
    await runJson(ws);
    const shard = join(ws, "cache/objects", readdirSync(join(ws, "cache/objects"))[0]!);
    const dead = `${hostTag()}-999999-deadbeef`;
    const leftovers = [join(ws, "out", `.a.up.tmp-${dead}`), join(shard, `.0123.tmp-${dead}`), join(ws, ".flow/tmp", `.0123.tmp-${dead}`)];
    mkdirSync(join(ws, ".flow/tmp"), { recursive: true });
    for (const l of leftovers) writeFileSync(l, "half");
    // a live writer on another host (recent) is left alone; a day-old one is swept
    const foreign = join(ws, "out", ".b.up.tmp-otherhost-12-cafebabe");
    const foreignOld = join(ws, "out", ".c.up.tmp-otherhost-13-cafebabe");
    writeFileSync(foreign, "busy");
    writeFileSync(foreignOld, "old");
    const dayAgo = Date.now() / 1000 - 25 * 3600;
    utimesSync(foreignOld, dayAgo, dayAgo);
    expect(hostname()).not.toBe("otherhost");
    await runJson(ws);
    for (const l of leftovers) expect(existsSync(l), l).toBe(false);
    expect(existsSync(foreign)).toBe(true);
    expect(existsSync(foreignOld)).toBe(false);
  });

  it("flow log checks selector keys", async () => {
    const ws = toyWorkspace();
    await runJson(ws);
    const r = await flow(ws, "log", "nmae=a");
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("flow: selector 'nmae=a': unknown key 'nmae' (keys: task, name)");
    expect((await flow(ws, "log", "name=a")).code).toBe(0);
  });
});
