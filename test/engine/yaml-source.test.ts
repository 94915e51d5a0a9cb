// pipeline.yaml is read by js-yaml (fast, small) with the `yaml` package behind it for
// errors and line numbers: both must give the same data for every YAML 1.2 core value.
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { readYamlSource } from "../../engine/pipeline/source.js";
import { REPO, tempDir } from "../rig.js";

const TRICKY = `version: 1
scalars:
  yes_word: yes
  no_word: no
  on_word: on
  bools: [true, True, TRUE, false]
  octal: 0o17
  hex: 0x1F
  exp: 1e3
  inf: .inf
  neg_inf: -.inf
  tilde: ~
  nul: null
  quoted_number: "1.0"
  date: 2020-01-01
  time: 12:30:45
  big: 12345678901234567890
  leading_zero: 0123
  colon_value: "a: b"
  url: http://example.org/x?y=1
block: |
  line one
    indented
folded: >
  one
  two
"quoted key": 1
2: two
flow: { a: [1, 2, { b: c }], "d e": f }
empty_list: []
empty_map: {}
shell: 'echo "$1" > "$0" && cat -'
`;

describe("reading pipeline.yaml", () => {
  it.each([
    ["the repository's pipeline.yaml", readFileSync(join(REPO, "pipeline.yaml"), "utf8")],
    ["YAML 1.2 core scalars, block and flow styles", TRICKY],
    ["anchors and aliases (read by yaml itself)", "a: &x { k: [1, 2] }\nb: *x\n"],
  ])("gives the same data as the yaml package: %s", (_name, text) => {
    const f = join(tempDir(), "pipeline.yaml");
    writeFileSync(f, text);
    expect(readYamlSource(f).data).toEqual(parse(text));
  });

  it("an error found by either parser is the yaml package's message with line and column", () => {
    const f = join(tempDir(), "pipeline.yaml");
    writeFileSync(f, "version: 1\ntasks:\n  a: 1\n  a: 2\n");
    expect(() => readYamlSource(f, "pipeline.yaml")).toThrow('pipeline.yaml:4:3: YAML syntax error: Map keys must be unique ("a" appears twice)');
    writeFileSync(f, "version: 1\ntasks: [a\n");
    expect(() => readYamlSource(f, "pipeline.yaml")).toThrow(/^pipeline.yaml:3:1: YAML syntax error: /);
  });

  it("locates keys by line after a fast read", () => {
    const f = join(tempDir(), "pipeline.yaml");
    writeFileSync(f, "version: 1\ntasks:\n  first: {}\n  second:\n    run: x\n");
    expect(readYamlSource(f, "p.yaml").locate(["tasks", "second", "run"])).toBe("p.yaml:5 (tasks.second.run)");
  });
});
