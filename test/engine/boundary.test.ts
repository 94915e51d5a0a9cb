// The boundary between the engine and the pipeline, both ways: engine/ imports nothing
// from tasks/, and tasks/ reach the engine only through its one public entry, #flow/task.
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { buildSync } from "esbuild";
import { REPO } from "../rig.js";

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : /\.(ts|mjs)$/.test(f) ? [p] : [];
  });
}

const SPEC = /(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
const specifiers = (f: string) => [...readFileSync(f, "utf8").matchAll(SPEC)].map((m) => m[1] ?? m[2]!);

describe("the engine/tasks boundary", () => {
  it("engine/ imports nothing from tasks/", () => {
    const bad: string[] = [];
    for (const f of tsFiles(join(REPO, "engine"))) {
      for (const s of specifiers(f)) {
        if (s.startsWith(".") && relative(REPO, resolve(dirname(f), s)).startsWith("tasks")) bad.push(`${relative(REPO, f)} → ${s}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("tasks/ import the engine only through #flow/task and #flow/command", () => {
    const bad: string[] = [];
    let through = 0;
    for (const f of tsFiles(join(REPO, "tasks"))) {
      for (const s of specifiers(f)) {
        if (s === "#flow/task" || s === "#flow/command") through++;
        else if (s.startsWith(".") && relative(REPO, resolve(dirname(f), s)).startsWith("engine")) bad.push(`${relative(REPO, f)} → ${s}`);
      }
    }
    expect(bad).toEqual([]);
    expect(through).toBeGreaterThan(10);
  });

  it("tasks/ shows the rule: steps, science, formats, commands, synth — and no file name at two places", () => {
    const files = tsFiles(join(REPO, "tasks")).map((f) => relative(join(REPO, "tasks"), f));
    expect(new Set(files.map((f) => f.split("/")[0]))).toEqual(new Set(["steps", "science", "formats", "commands", "synth"]));
    const names = files.map((f) => f.split("/").pop()!);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it("a worker loads only what a task needs: not the workspace, the index or its cache clients", () => {
    const r = buildSync({
      entryPoints: [join(REPO, "engine/exec/worker.ts")],
      absWorkingDir: REPO, // the metafile's paths are relative to it (not to whatever folder the process is in)
      bundle: true,
      write: false,
      metafile: true,
      platform: "node",
      format: "esm",
      logLevel: "silent",
    });
    const loaded = Object.keys(r.metafile.inputs).map((f) => relative(REPO, resolve(REPO, f)));
    expect(loaded).toContain("engine/api/task.ts");
    expect(loaded.filter((f) => /keyv|cache\/|workspace\/|execa/.test(f))).toEqual([]);
  });
});
