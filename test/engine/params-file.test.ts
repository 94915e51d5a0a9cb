// Settings in one file: params.yaml beside pipeline.yaml (DVC's convention) is read by
// every command; --params FILE names another; --set is still on top; `flow params` says
// each value and where it comes from. A run limited by a --set that the next command does
// not repeat is described by the param, not by "changed in 2 nodes". `~` in a path param
// is the home folder.
import { describe, it, expect } from "vitest";
import { writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { flow, read, runJson, statusJson, toyWorkspace } from "../rig.js";
import { kindsPipeline } from "../toy-pipelines.js";

const yaml = kindsPipeline(`  kinds: { default: [x, y], type: array, items: { type: string } }
  width: { default: 1, type: number, minimum: 0 }
  where: { default: in, path: true, type: string }`);

describe("the params file", () => {
  it("every command reads params.yaml; --set goes on top; flow params says where each value comes from", async () => {
    const ws = toyWorkspace({ "pipeline.yaml": yaml, "params.yaml": "# the lab's settings\nwidth: 2\nkinds: [x, y, z]\n" });
    expect((await runJson(ws)).code).toBe(0);
    expect(read(ws, "data/all.txt")).toBe("x 2\ny 2\nz 2\n");
    expect((await statusJson(ws)).every((n) => n.state === "up-to-date")).toBe(true); // status sees the same params
    const p = await flow(ws, "params", "--set", "width=3");
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/^kinds {2}\["x", "y", "z"\] {2}\(params\.yaml\)$/m);
    expect(p.stdout).toMatch(/^width {2}3 {2}\(--set\)$/m);
    expect(p.stdout).toMatch(/^where {2}in {2}\(default\)$/m);
    // another file
    writeFileSync(join(ws, "small.yaml"), "kinds: [x]\n");
    expect((await runJson(ws, "--params", "small.yaml")).code).toBe(0);
    expect(read(ws, "data/all.txt")).toBe("x 1\n");
    const json = JSON.parse((await flow(ws, "params", "--params", "small.yaml", "--json")).stdout);
    expect(json.paramsFile).toBe("small.yaml");
    expect(json.params.find((x: { name: string }) => x.name === "kinds")).toMatchObject({ value: ["x"], from: "small.yaml" });
  });

  it("a value the file gets wrong is named with the file's line; an unknown name too", async () => {
    const ws = toyWorkspace({ "pipeline.yaml": yaml, "params.yaml": "kinds: [x]\nwidth: -1\n" });
    const r = await flow(ws, "status");
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("flow: params.yaml:2 (width): width: must be >= 0");
    writeFileSync(join(ws, "params.yaml"), "widht: 2\n");
    const u = await flow(ws, "status");
    expect(u.code).toBe(2);
    expect(u.stderr).toContain("params.yaml:1 (widht): pipeline.yaml has no param 'widht' (params: kinds, width, where)");
    expect((await flow(ws, "status", "--params", "nope.yaml")).stderr.trim()).toBe("flow: nope.yaml: no such params file");
  });

  it("a run limited by a --set the next command leaves out: the reason names the param", async () => {
    const ws = toyWorkspace({ "pipeline.yaml": yaml });
    expect((await runJson(ws, "--set", "kinds=[x]")).code).toBe(0);
    const st = await statusJson(ws);
    expect(st.find((n) => n.id === "all")!.reasons).toEqual(['param kinds changed (["x"] → ["x", "y"])', "upstream make[kind=y]: never run"]);
  });

  it("~ in a path param is the home folder", async () => {
    const ws = toyWorkspace({ "pipeline.yaml": yaml });
    const r = await flow(ws, "params", "--set", "where=~/allen", "--json");
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.params.find((x: { name: string }) => x.name === "where").value).toBe(join(homedir(), "allen"));
    writeFileSync(join(ws, "params.yaml"), "where: ~/data # (a bare ~ is YAML's null)\n");
    expect(JSON.parse((await flow(ws, "params", "--json")).stdout).params.find((x: { name: string }) => x.name === "where").value).toBe(
      join(homedir(), "data"),
    );
  });
});
