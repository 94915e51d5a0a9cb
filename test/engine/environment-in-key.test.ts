// The software a task runs with is part of its key, and status names what changed:
// the exact version of every npm package a TypeScript task's code imports (its installed
// package.json), and the output of a task's `environment:` probes (python3 --version).
// A code version that cannot be computed (esbuild missing or broken) is an error, never a
// closure silently shrunk to the task's entry file.
import { describe, it, expect } from "vitest";
import { chmodSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { execa } from "execa";
import { FLOW, runJson, statusJson, tempDir, toyWorkspace, write } from "../rig.js";

const withPackage = (version: string) => ({
  "node_modules/labpkg/package.json": JSON.stringify({ name: "labpkg", version, type: "module", main: "index.js", dependencies: { labdep: "1" } }),
  "node_modules/labpkg/index.js": `export const shout = (s) => s.toUpperCase();\n`,
  "node_modules/labdep/package.json": JSON.stringify({ name: "labdep", version: "2.0.0", main: "index.js" }),
  "node_modules/labdep/index.js": `module.exports = {};\n`,
});

describe("the environment in the key", () => {
  it("an npm package a task imports: its installed version (and its dependencies') is in the key", async () => {
    const ws = toyWorkspace({
      ...withPackage("1.0.0"),
      "tasks/upper.ts": `import { readFileSync, writeFileSync } from "node:fs";
import { shout } from "labpkg";
export default { run(ctx: any) { writeFileSync(ctx.outputs.out, shout(readFileSync(ctx.inputs.src, "utf8")) + ctx.params.suffix); } };
`,
    });
    expect((await runJson(ws)).code).toBe(0);
    expect((await statusJson(ws)).every((n) => n.state === "up-to-date")).toBe(true);
    write(ws, withPackage("1.0.1")); // npm upgraded it; its code did not change
    const st = await statusJson(ws);
    expect(st.find((n) => n.id === "upper[name=a]")).toMatchObject({ state: "stale", reasons: ["package changed: labpkg 1.0.0 → 1.0.1"] });
    expect(st.find((n) => n.id === "concat")!.reasons).toEqual(["upstream: package changed: labpkg 1.0.0 → 1.0.1 in 2 nodes"]); // a shell task imports nothing
    const r = await runJson(ws);
    expect(r.summary.ran.sort()).toEqual(["upper[name=a]", "upper[name=b]"]);
    expect(r.summary.upToDate).toEqual(["concat"]); // the same bytes: early cutoff
    write(ws, { "node_modules/labdep/package.json": JSON.stringify({ name: "labdep", version: "2.1.0", main: "index.js" }) });
    expect((await statusJson(ws)).find((n) => n.id === "upper[name=a]")!.reasons).toEqual(["package changed: labdep 2.0.0 → 2.1.0"]);
  });

  it("an environment probe's output is in the key of the tasks that declare it", async () => {
    const bin = tempDir("flow-shim-");
    const shim = (v: string) => {
      writeFileSync(join(bin, "python3"), `#!/bin/sh\necho "Python ${v}"\n`);
      chmodSync(join(bin, "python3"), 0o755);
    };
    shim("3.11.2");
    const ws = toyWorkspace({
      "pipeline.yaml": `version: 1
tasks:
  analysis:
    run: { argv: [/bin/sh, -c, 'echo done > "$0"', "\${out.o}"] }
    environment: ["python3 --version"]
    outputs: { o: out/a.txt }
  other:
    run: { argv: [/bin/sh, -c, 'echo other > "$0"', "\${out.o}"] }
    outputs: { o: out/b.txt }
`,
    });
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const flow = (...args: string[]) => execa(process.execPath, [FLOW, ...args], { cwd: ws, env, reject: false });
    expect((await flow("run")).exitCode).toBe(0);
    shim("3.12.1");
    const st = JSON.parse((await flow("status", "--json")).stdout) as { id: string; state: string; reasons: string[] }[];
    expect(st.find((n) => n.id === "analysis")).toMatchObject({
      state: "stale",
      reasons: ["environment changed: python3 --version (Python 3.11.2 → Python 3.12.1)"],
    });
    expect(st.find((n) => n.id === "other")!.state).toBe("up-to-date");
    expect((await flow("run")).exitCode).toBe(0);
    const recs = JSON.parse((await flow("log", "task=analysis", "--json")).stdout);
    expect(recs.at(-1).environment).toEqual({ "python3 --version": "Python 3.12.1" });
  });

  it("esbuild that does not work is an error, not a task whose code version is its entry file alone", async () => {
    const ws = toyWorkspace({
      // a module no earlier command has seen: its closure is not cached
      "tasks/upper.ts": `import { writeFileSync } from "node:fs";\n// ${randomBytes(8).toString("hex")}\nexport default { run(ctx: any) { writeFileSync(ctx.outputs.out, "x"); } };\n`,
    });
    // an esbuild binary that is there but broken (a bad install, a binary for another platform)
    const broken = join(ws, "esbuild-broken");
    writeFileSync(broken, "#!/bin/sh\nexit 3\n");
    chmodSync(broken, 0o755);
    const r = await execa(process.execPath, [FLOW, "status"], { cwd: ws, reject: false, env: { ...process.env, ESBUILD_BINARY_PATH: broken } });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain("flow: cannot compute task code versions: esbuild does not work here");
    expect(r.stderr).toContain("run 'npm ci' in flow's folder");
  });
});
