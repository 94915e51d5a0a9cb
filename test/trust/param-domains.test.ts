// Params have domains (JSON-Schema keywords), checked with ajv at load by every
// command, for defaults and --set values alike.
import { describe, it, expect } from "vitest";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { toyWorkspace, pipelineWorkspace, flow, REPO } from "../rig.js";

const yaml = `version: 1
params:
  width: { default: 0.02, type: number, exclusiveMinimum: 0 }
  level: { default: 3, type: integer, minimum: 0, maximum: 9 }
  mode: { default: fast, enum: [fast, slow] }
  names: { default: [a], type: array, items: { type: string, pattern: "^[a-z]+$" } }
  plain: 5
tasks:
  t:
    run: { argv: [/bin/sh, -c, 'echo "$1 $2 $3" > "$0"', "\${out.o}", "\${width}", "\${level}", "\${mode}"] }
    params: [width, level, mode, names, plain]
    outputs: { o: out/t.txt }
`;

describe("param domains", () => {
  const cases: [string, string][] = [
    ["level=12", "--set level=12: must be <= 9 (pipeline.yaml:4)"],
    ["level=3.5", "--set level=3.5: must be integer (pipeline.yaml:4)"],
    ["width=-1", "--set width=-1: must be > 0 (pipeline.yaml:3)"],
    ["width=0", "--set width=0: must be > 0 (pipeline.yaml:3)"],
    ["width=0x10", "--set width=0x10: must be number (pipeline.yaml:3)"],
    ["width=", "--set width=: must be number (pipeline.yaml:3)"],
    ["mode=medium", '--set mode=medium: must be equal to one of the allowed values: "fast", "slow" (pipeline.yaml:5)'],
    ["names=[a,B]", '--set names=[a,B]: names.1: must match pattern "^[a-z]+$" (pipeline.yaml:6)'],
    ["plain=abc", "--set plain=abc: must be number (pipeline.yaml:7)"],
  ];
  for (const [set, msg] of cases) {
    it(`refuses --set ${set}`, async () => {
      const ws = toyWorkspace({ "pipeline.yaml": yaml });
      // every command checks (run, status and dag for the first case; status for the rest)
      for (const cmd of set === cases[0]![0] ? ["run", "status", "dag"] : ["status"]) {
        const r = await flow(ws, cmd, "--set", set);
        expect(r.code, cmd).toBe(2);
        expect(r.stderr.trim(), cmd).toBe(`flow: ${msg}`);
      }
      expect(existsSync(join(ws, "out"))).toBe(false);
    });
  }

  it("accepts values inside the domain, and checks the defaults themselves", async () => {
    const ws = toyWorkspace({ "pipeline.yaml": yaml });
    expect((await flow(ws, "run", "--set", "level=9", "--set", "width=1e-3", "--set", "mode=slow")).code).toBe(0);
    expect(readFileSync(join(ws, "out/t.txt"), "utf8")).toBe("0.001 9 slow\n");
    const bad = toyWorkspace({ "pipeline.yaml": yaml.replace("default: 3, type: integer", "default: 10, type: integer") });
    const r = await flow(bad, "status");
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("flow: pipeline.yaml:4 (params.level): default 10: must be <= 9");
    const broken = toyWorkspace({ "pipeline.yaml": yaml.replace("exclusiveMinimum: 0", "exclusiveMinimum: zero") });
    expect((await flow(broken, "status")).stderr).toMatch(/^flow: pipeline\.yaml:3 \(params\.width\.exclusiveMinimum\): expected number/);
  });

  it("the Allen pipeline declares a domain for every param, and refuses the values that broke it", async () => {
    const spec = parse(readFileSync(join(REPO, "pipeline.yaml"), "utf8")) as { params: Record<string, { type?: string }> };
    for (const [name, p] of Object.entries(spec.params)) expect(p.type, name).toBeDefined();
    const ws = pipelineWorkspace();
    for (const [set, msg] of [
      ["gzip_level=12", /^flow: --set gzip_level=12: must be <= 9 \(pipeline\.yaml:\d+\)$/],
      ["gzip_level=3.5", /must be integer/],
      ["bin_width=-1", /must be > 0/],
      ["bin_width=0", /must be > 0/],
      ["bin_width=0x10", /must be number/],
      ["data_dir=", /--set data_dir=: must not be empty/],
      ["presence_ratio_minimum=1.5", /must be <= 1/],
    ] as const) {
      const r = await flow(ws, "status", "--set", set);
      expect(r.code, set).toBe(2);
      expect(r.stderr.trim(), set).toMatch(msg);
    }
  });
});
