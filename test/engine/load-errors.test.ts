import { describe, it, expect } from "vitest";
import { toyWorkspace, flow, write, exists } from "../rig.js";

async function loadError(yaml: string, ...args: string[]) {
  return loadErrorWith(2, yaml, ...args);
}

/** exit 2: the pipeline file or the command line; 3: the environment (docs/guide.md, exit codes) */
async function loadErrorWith(code: number, yaml: string, ...args: string[]) {
  const ws = toyWorkspace({ "pipeline.yaml": yaml });
  const r = await flow(ws, "status", ...args);
  expect(r.code).toBe(code);
  expect(r.stderr.trim().split("\n")).toHaveLength(1); // one line, no stack trace
  expect(exists(ws, ".flow/state")).toBe(false);
  return r.stderr.trim();
}

const task = (extra = "") => `  t:
    run: { argv: [touch, "\${out.o}"] }
    outputs: { o: out/t.txt }${extra}
`;

describe("pipeline.yaml errors name the file, the line and what was expected", () => {
  it("YAML syntax error", async () => {
    expect(await loadError("version: 1\ntasks:\n  t: [unclosed\n")).toMatch(/^flow: pipeline\.yaml:\d+:\d+: YAML syntax error/);
  });
  it("unknown key", async () => {
    expect(await loadError(`version: 1\ntasks:\n${task("\n    colour: red")}`)).toBe("flow: pipeline.yaml:6 (tasks.t.colour): unknown key 'colour'");
  });
  it("wrong type", async () => {
    expect(await loadError(`version: 1\ntasks:\n  t:\n    run: { argv: [touch] }\n    outputs: { o: 5 }\n`)).toBe(
      "flow: pipeline.yaml:5 (tasks.t.outputs.o): expected string, got number 5",
    );
  });
  it("missing required key", async () => {
    expect(await loadError(`version: 1\ntasks:\n  t:\n    run: { argv: [touch] }\n`)).toBe(
      "flow: pipeline.yaml:3 (tasks.t): missing required key 'outputs'",
    );
  });
  it("cycle, named", async () => {
    const yaml = `version: 1
tasks:
  a:
    run: { argv: [cp, "\${in.x}", "\${out.o}"] }
    inputs: { x: out/b.txt }
    outputs: { o: out/a.txt }
  b:
    run: { argv: [cp, "\${in.x}", "\${out.o}"] }
    inputs: { x: out/a.txt }
    outputs: { o: out/b.txt }
`;
    expect(await loadError(yaml)).toBe("flow: pipeline.yaml:3 (tasks.a): dependency cycle: a -> b -> a");
  });
  it("unknown task reference", async () => {
    const yaml = `version: 1\ntasks:\n${task("\n    inputs: { x: { from: nosuch, output: o } }")}`;
    expect(await loadError(yaml)).toBe("flow: pipeline.yaml:6 (tasks.t.inputs.x.from): unknown task 'nosuch' (tasks: t)");
  });
  it("two nodes claiming one output", async () => {
    const yaml = `version: 1\ntasks:\n${task()}  u:\n    run: { argv: [touch, "\${out.o}"] }\n    outputs: { o: out/t.txt }\n`;
    expect(await loadError(yaml)).toBe("flow: pipeline.yaml:8 (tasks.u.outputs): output out/t.txt is claimed by both t and u");
  });
  it("foreach over an empty glob", async () => {
    const yaml = `version: 1\nsets:\n  s: { glob: "nothing/{s}.txt" }\ntasks:\n${task("\n    foreach: [s]").replace("out/t.txt", '"out/${s}.txt"')}`;
    expect(await loadErrorWith(3, yaml)).toMatch(/^flow: pipeline\.yaml:3 \(sets\.s\): set 's' is empty: \/.*\/nothing does not exist$/);
  });
  it("--set of an unknown param", async () => {
    expect(await loadError(`version: 1\nparams:\n  p: 1\ntasks:\n${task()}`, "--set", "q=2")).toBe(
      "flow: --set q: pipeline.yaml has no param 'q' (params: p)",
    );
  });
  it("--set of the wrong type", async () => {
    expect(await loadError(`version: 1\nparams:\n  p: 1\ntasks:\n${task()}`, "--set", "p=abc")).toBe(
      "flow: --set p=abc: must be number (pipeline.yaml:3)",
    );
  });
  it("a param with '..' or an absolute path where a name is expected", async () => {
    const yaml = `version: 1\nparams:\n  name: x\ntasks:\n  t:\n    run: { argv: [touch, "\${out.o}"] }\n    outputs: { o: "out/\${name}.txt" }\n`;
    expect(await loadError(yaml, "--set", "name=../../etc/x")).toMatch(/name="\.\.\/\.\.\/etc\/x" would leave the workspace/);
    expect(await loadError(yaml, "--set", "name=/etc/x")).toMatch(/name="\/etc\/x" would leave the workspace/);
  });
  it("a missing pipeline file", async () => {
    const ws = toyWorkspace();
    const r = await flow(ws, "status", "nosuch.yaml");
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("flow: nosuch.yaml: no such pipeline file");
  });
  it("an unknown command", async () => {
    const ws = toyWorkspace();
    write(ws, {});
    const r = await flow(ws, "frobnicate");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });
});

describe("option values that start with a dash", () => {
  it("--set and --slurm-opt take the next word whatever it starts with; a folder option does not take an option", async () => {
    const ws = toyWorkspace();
    const dry = await flow(ws, "run", "--dry-run", "--slurm-opt", "--mem=8G", "--set", "suffix=-x", "pipeline.yaml");
    expect(dry.code, dry.stderr).toBe(0);
    const r = await flow(ws, "status", "--cache-dir", "--json");
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("flow: option '--cache-dir <dir>' argument '--json' is invalid. '--json' looks like an option, not a value");
  });
});

describe("the command line", () => {
  it("help lists every command, the pipeline's own among them, and never node-run", async () => {
    const ws = toyWorkspace();
    const r = await flow(ws, "--help");
    expect(r.code).toBe(0);
    for (const c of ["run", "status", "invalidate", "log", "dag", "gc"]) expect(r.stdout).toMatch(new RegExp(`\\n  ${c}\\b`));
    expect(r.stdout).not.toContain("node-run");
    const { REPO } = await import("../rig.js");
    const p = await flow(REPO, "--help");
    expect(p.stdout).toMatch(/\n  export  +per-session \.npy files/);
    expect(p.stdout).toMatch(/\n  synth  +write a synthetic Allen cache/);
    expect(p.stdout).toMatch(/\n  fetch  +fill the Allen cache from its public bucket/);
    expect(p.stdout.match(/\(from pipeline\.yaml\)/g)?.length).toBe(3);
  });

  it("flow synth explains its scales and refuses an option that does not apply", async () => {
    const { REPO, tempDir } = await import("../rig.js");
    const h = await flow(REPO, "synth", "--help");
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/--scale <scale> +example: 4 small sessions/);
    expect(h.stdout).toMatch(/full: 1 full-size/);
    const r = await flow(REPO, "synth", tempDir(), "--sessions", "1");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--sessions applies to --scale many and dataset only");
    const u = await flow(REPO, "synth", tempDir(), "--sesions", "3");
    expect(u.code).toBe(2);
    expect(u.stderr).toContain("flow: unknown option '--sesions'\n(Did you mean --sessions?)");
  });

  it("--version, did-you-mean, and each command's options in its help", async () => {
    const ws = toyWorkspace();
    const { FLOW_VERSION } = await import("../../engine/version.js");
    expect((await flow(ws, "--version")).stdout.trim()).toBe(FLOW_VERSION);
    const typo = await flow(ws, "stauts");
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("(Did you mean status?)");
    const h = await flow(ws, "run", "--help");
    expect(h.code).toBe(0);
    expect(h.stdout).toContain("--keep-going");
    expect(h.stdout).toContain("--slurm-max-jobs <n>");
    expect(h.stdout).toContain("--set <name=value>");
  });

  it("dag --json is supported", async () => {
    const ws = toyWorkspace();
    const r = await flow(ws, "dag", "--json");
    expect(r.code).toBe(0);
    const g = JSON.parse(r.stdout) as { nodes: string[]; edges: [string, string][] };
    expect(g.nodes).toEqual(["upper[name=a]", "upper[name=b]", "concat"]);
    expect(g.edges).toEqual([
      ["upper[name=a]", "concat"],
      ["upper[name=b]", "concat"],
    ]);
  });
});
