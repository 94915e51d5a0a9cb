// A shared cache: the object store on a shared folder (--cache-dir) and the index in
// a real Redis or PostgreSQL (--cache-url), or in the shared folder itself. .ci/run starts
// the servers (test/services/start.sh); without them those backends are skipped.
import { describe, it, expect, inject } from "vitest";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { execa } from "execa";
import { toyWorkspace, runJson, flow, read, tempDir, pipelineWorkspace, FLOW, gates } from "../rig.js";
import { hashTree } from "../../bench/lib.js";

const backends: [string, string | undefined][] = [
  ["a shared folder (file index)", ""],
  ["Redis", process.env.FLOW_TEST_REDIS_URL],
  ["PostgreSQL", process.env.FLOW_TEST_POSTGRES_URL],
];
for (const [name, url] of backends) {
  if (url === undefined)
    console.warn(
      `SKIPPED shared-cache tests on ${name}: no server (set FLOW_TEST_${name === "Redis" ? "REDIS" : "POSTGRES"}_URL; .ci/run starts one with test/services/start.sh)`,
    );
}

const objects = (dir: string) => readdirSync(join(dir, "objects")).flatMap((s) => readdirSync(join(dir, "objects", s)));

// Every backend is listed; one without its server is skipped (it.skipIf), never passed empty.
describe.each(backends)("shared cache on %s", (_name, url) => {
  const absent = url === undefined;
  const opts = (cache: string) => ["--cache-dir", cache, ...(url ? ["--cache-url", url] : [])];

  it.skipIf(absent)("a second workspace restores what the first computed, without running it", async () => {
    const cache = tempDir("flow-shared-");
    const tag = `!${randomBytes(4).toString("hex")}`; // keys unique to this test run
    const a = toyWorkspace(),
      b = toyWorkspace();
    const ra = await runJson(a, ...opts(cache), "--set", `suffix=${tag}`);
    expect(ra.summary.ran.length).toBe(3);
    const rb = await runJson(b, ...opts(cache), "--set", `suffix=${tag}`);
    expect(rb.summary.ran).toEqual([]);
    expect(rb.summary.restored.sort()).toEqual(["concat", "upper[name=a]", "upper[name=b]"]);
    expect(read(b, "out/all.txt")).toBe(read(a, "out/all.txt"));
    // the index is shared: gc from either workspace keeps everything live
    const gc = await flow(b, "gc", "--json", ...opts(cache), "--set", `suffix=${tag}`);
    expect(JSON.parse(gc.stdout).removedObjects).toBe(0);
    expect(objects(cache).length).toBe(3);
  });

  // (with a folder index, the index lives with its objects: nothing to test there)
  it.skipIf(absent || !url)("an index entry whose objects are not in this store is not a cache hit", async () => {
    const tag = `!${randomBytes(4).toString("hex")}`;
    await runJson(toyWorkspace(), ...opts(tempDir("flow-shared-")), "--set", `suffix=${tag}`);
    const other = toyWorkspace();
    const r = await runJson(other, ...opts(tempDir("flow-shared-")), "--set", `suffix=${tag}`);
    expect(r.summary.ran.length).toBe(3);
    expect(r.stderr).not.toContain("corrupt");
  });

  it.skipIf(absent)("two runs computing the same nodes at once end with one valid object each and a valid index", async () => {
    const cache = tempDir("flow-shared-");
    const tag = `!${randomBytes(4).toString("hex")}`;
    // each upper node waits at a gate until all six (two in each of three workspaces) have started
    const slow = {
      "tasks/upper.ts": `import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
export default { async run(ctx: any) {
  const name = ctx.node.replace(/[^A-Za-z0-9_]/g, "_");
  mkdirSync("gates", { recursive: true });
  writeFileSync("gates/" + name + ".started", "");
  while (!existsSync("gates/" + name + ".release")) await new Promise((r) => setTimeout(r, 20));
  writeFileSync(ctx.outputs.out, readFileSync(ctx.inputs.src, "utf8").toUpperCase() + ctx.params.suffix);
} };
`,
    };
    const ws = [toyWorkspace(slow), toyWorkspace(slow), toyWorkspace(slow)];
    const running = Promise.all(
      ws.map((w) =>
        execa(process.execPath, [FLOW, "run", "--json", "--jobs", "2", ...opts(cache), "--set", `suffix=${tag}`], { cwd: w, reject: false }),
      ),
    );
    const names = ["upper_name_a_", "upper_name_b_"];
    await Promise.all(ws.flatMap((w) => names.map((n) => gates(w).started(n))));
    for (const w of ws) for (const n of names) gates(w).release(n);
    const runs = await running;
    for (const r of runs) expect(r.exitCode, r.stderr).toBe(0);
    const outputs = ws.map((w) => read(w, "out/all.txt"));
    expect(new Set(outputs).size).toBe(1);
    expect(objects(cache).length).toBe(3); // stored once each, whoever won
    for (const [f, h] of Object.entries(hashTree(join(cache, "objects")))) expect(f.endsWith(h)).toBe(true);
    const late = await runJson(toyWorkspace(slow), ...opts(cache), "--set", `suffix=${tag}`); // (restores: its gate is never reached)
    expect(late.summary.ran).toEqual([]);
    expect(late.summary.restored.length).toBe(3);
  });

  // (run against the server indexes; the folder index is covered by the tests above)
  it.skipIf(absent || !url)("the Allen pipeline: a colleague's workspace restores the whole example", async () => {
    const cache = tempDir("flow-shared-");
    const ex = `allen_cache=${inject("exampleCache")}`;
    const a = pipelineWorkspace(),
      b = pipelineWorkspace();
    // unique keys for this run: a bin width no other test uses
    const bw = `bin_width=0.02${randomBytes(2).readUInt16BE() + 1}`;
    expect((await runJson(a, ...opts(cache), "--set", ex, "--set", bw)).code).toBe(0);
    const rb = await runJson(b, ...opts(cache), "--set", ex, "--set", bw);
    expect(rb.summary.ran).toEqual([]);
    expect(rb.summary.restored.length).toBe(79);
    expect(hashTree(join(b, "data"))).toEqual(hashTree(join(a, "data")));
  });
});
