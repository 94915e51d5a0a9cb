// Generates the synthetic example cache once, and runs the pipeline on it once into a
// workspace that tests only read.
import { mkdtempSync, rmSync, writeFileSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import type { TestProject } from "vitest/node";

let dir: string | undefined;

export default async function setup(project: TestProject) {
  dir = mkdtempSync(join(tmpdir(), "flow-example-"));
  const repo = join(import.meta.dirname, "..");
  const { writeCache, cacheSpecs } = await import("../tasks/synth/cache.js");
  const cache = join(dir, "allen_cache");
  await writeCache(cache, cacheSpecs("example"));
  const ws = join(dir, "ws");
  execFileSync("mkdir", ["-p", ws]);
  writeFileSync(join(ws, "pipeline.yaml"), readFileSync(join(repo, "pipeline.yaml")));
  for (const d of ["tasks", "engine", "node_modules", "schemas", "package.json"]) symlinkSync(join(repo, d), join(ws, d));
  const t0 = performance.now();
  execFileSync(process.execPath, [join(repo, "bin/flow.js"), "run", "--jobs", "2", "--set", `allen_cache=${cache}`], { cwd: ws, stdio: "pipe" });
  project.provide("exampleColdMs", performance.now() - t0);
  project.provide("exampleCache", cache);
  project.provide("exampleWorkspace", ws);
  return () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    exampleCache: string;
    exampleWorkspace: string;
    /** wall time of that cold run (--jobs 2) */
    exampleColdMs: number;
  }
}
