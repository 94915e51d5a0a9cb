import { describe, it, expect } from "vitest";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { toyWorkspace, runJson, read, flow } from "../rig.js";

const yaml = `version: 1
params:
  msg: hello
  name: { default: x, name: true }
tasks:
  echo:
    run: { argv: [/bin/echo, "\${msg}"] }
    params: [msg]
    outputs: { o: "out/\${name}.txt" }
  save:
    run: { argv: [/bin/sh, -c, 'printf "%s" "$1" > "$0"', "\${out.o}", "\${msg}"] }
    params: [msg]
    outputs: { o: out/saved.txt }
`;

describe("no parameter value reaches a shell or leaves the workspace", () => {
  for (const evil of ["$(touch pwned)", "a; touch pwned", "`touch pwned`", "x && touch pwned", "' ; touch pwned ; '"]) {
    it(`passes ${JSON.stringify(evil)} as one literal argument`, async () => {
      const ws = toyWorkspace({ "pipeline.yaml": yaml });
      const r = await runJson(ws, "--set", `msg=${evil}`, "task=save");
      expect(r.code).toBe(0);
      expect(read(ws, "out/saved.txt")).toBe(evil);
      expect(existsSync(join(ws, "pwned"))).toBe(false);
    });
  }

  it("an argv reference to an undeclared param is a load error", async () => {
    const ws = toyWorkspace({ "pipeline.yaml": yaml.replace(/    params: \[msg\]\n/g, "") });
    const r = await flow(ws, "status");
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      "flow: pipeline.yaml:7 (tasks.echo.run.argv.1): ${msg}: 'msg' is not a declared param or foreach set of the task (declare it under params:)",
    );
  });

  it("rejects '..' and absolute paths in a name param", async () => {
    for (const bad of ["../../x", "/tmp/x", "a/b"]) {
      const ws = toyWorkspace({ "pipeline.yaml": yaml });
      const r = await flow(ws, "run", "--set", `name=${bad}`);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/flow: .*name/);
      expect(existsSync(join(ws, "out"))).toBe(false);
    }
  });
});
