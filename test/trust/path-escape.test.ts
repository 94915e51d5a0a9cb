// Paths never leave the workspace unless a `path: true` param says so; outputs
// are regular files, never followed symlinks.
import { describe, it, expect } from "vitest";
import { existsSync, readdirSync, statSync, writeFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { toyWorkspace, flow, runJson, tempDir } from "../rig.js";

describe("outputs stay in the workspace", () => {
  it("two values that join into '..' are refused (the final path is checked, not each value)", async () => {
    const ws = toyWorkspace({
      "pipeline.yaml": `version: 1
params: { a: x, b: y }
tasks:
  t:
    run: { argv: [/usr/bin/touch, "\${out.o}"] }
    params: [a, b]
    outputs: { o: "out/\${a}\${b}/x" }
`,
    });
    expect((await flow(ws, "status")).code).toBe(0);
    const r = await flow(ws, "run", "--set", "a=.", "--set", "b=.");
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      "flow: pipeline.yaml:7 (tasks.t.outputs.o): 'out/${a}${b}/x' becomes 'out/../x', which is outside its place in the workspace; a path may leave the workspace only through a param declared 'path: true'",
    );
    expect(existsSync(join(ws, "x"))).toBe(false);
  });

  it("a path param may not be empty, and only a path param may lead outside", async () => {
    const yaml = `version: 1
params:
  dir: { default: out, path: true, type: string }
tasks:
  t:
    run: { argv: [/usr/bin/touch, "\${out.o}"] }
    outputs: { o: "\${dir}/x" }
`;
    const ws = toyWorkspace({ "pipeline.yaml": yaml });
    const empty = await flow(ws, "run", "--set", "dir=");
    expect(empty.code).toBe(2);
    expect(empty.stderr.trim()).toBe("flow: --set dir=: must not be empty (pipeline.yaml:3)");
    const outside = tempDir("flow-outside-");
    expect((await flow(ws, "run", "--set", `dir=${outside}`)).code).toBe(0); // explicit: path: true
    expect(existsSync(join(outside, "x"))).toBe(true);
  });

  it("a shell task whose output is a symlink to an outside file fails; the file is not touched or stored", async () => {
    const victim = join(tempDir("flow-victim-"), "precious.txt");
    writeFileSync(victim, "mine\n");
    chmodSync(victim, 0o640);
    const ws = toyWorkspace({
      "pipeline.yaml": `version: 1
tasks:
  t:
    run: { argv: [/bin/ln, -s, "${victim}", "\${out.o}"] }
    outputs: { o: out/link.txt }
`,
    });
    const r = await runJson(ws);
    expect(r.code).toBe(1);
    expect(r.summary.failed[0]!.error).toBe(`output link.txt is a symbolic link (to ${victim}); outputs must be regular files`);
    expect(statSync(victim).mode & 0o777).toBe(0o640);
    expect(existsSync(join(ws, "cache/objects")) ? readdirSync(join(ws, "cache/objects")) : []).toEqual([]);
    expect(existsSync(join(ws, "out/link.txt"))).toBe(false);
  });
});
