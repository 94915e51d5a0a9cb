// An HDF5 library error inside a task fails that task with one readable line,
// and nothing of it is stored. Real failures: a deflate level the filter refuses, and a
// full disk (a small tmpfs).
import { describe, it, expect, inject } from "vitest";
import { readFileSync, writeFileSync, mkdirSync, readdirSync, rmSync, existsSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { pipelineWorkspace, runJson, statusJson, flow, tempDir, REPO, canMountTmpfs } from "../rig.js";
import { writeStimulusFile } from "../../tasks/formats/netcdf.js";

const SHAPING_DEFAULTS = {
  bin_width: 0.02,
  drop_names: ["spontaneous"],
  median_threshold_movie: 0.01,
  median_threshold_other: 0.001,
  amplitude_cutoff_maximum: 0.1,
  presence_ratio_minimum: 0.95,
  isi_violations_maximum: 0.5,
};

const canMount = canMountTmpfs();
if (!canMount) console.warn("SKIPPED full-disk HDF5 test: mounting a small tmpfs needs root (CI runs as root)");

describe("HDF5 errors are never silent", () => {
  it("a filter that fails (gzip level 10, domain removed from pipeline.yaml) fails stimulus_file with one line, stores nothing", async () => {
    const ws = pipelineWorkspace();
    // A user edits the domain away: the library must still refuse, loudly.
    const yaml = readFileSync(join(REPO, "pipeline.yaml"), "utf8").replace(
      /(gzip_level: \{ default: 3, type: integer, minimum: 0), maximum: 9,/,
      "$1,",
    );
    writeFileSync(join(ws, "pipeline.yaml"), yaml);
    const cache = inject("exampleCache");
    const r = await runJson(ws, "--set", `allen_cache=${cache}`, "--set", "gzip_level=10", "--keep-going", "task=stimulus_file");
    expect(r.code).toBe(1);
    expect(r.summary.failed.length).toBe(10); // every stimulus of the example has data
    for (const f of r.summary.failed) {
      expect(f.id).toMatch(/^stimulus_file\[/);
      expect(f.error).toMatch(
        /^\w+\.h5: writing \/session_\d+\/[A-Za-z0-9]+\/spike_data\/(spike_data|time_bounds) \(gzip level 10\): HDF5 error: .*filter returned failure$/,
      );
    }
    expect(r.stderr).not.toContain("HDF5-DIAG");
    const st = await statusJson(ws, "--set", `allen_cache=${cache}`, "--set", "gzip_level=10", "task=stimulus_file");
    expect(st.map((n) => n.state)).toEqual(Array(10).fill("never-run")); // nothing recorded or cached
    expect(existsSync(join(ws, "data/02_stimulus_types"))).toBe(false);
  });

  it.skipIf(!canMount)("a full disk while writing fails with a readable error, not a truncated file", async () => {
    const ws = inject("exampleWorkspace");
    const cubes = readdirSync(join(ws, "data/01_sessions")).map((s) => join(ws, "data/01_sessions", s, "natural_scenes.cube"));
    const disk = tempDir("flow-full-");
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", disk]);
    try {
      mkdirSync(join(disk, "out"));
      await expect(
        writeStimulusFile(join(disk, "out", "natural_scenes.h5"), cubes, {
          stimulus: "natural_scenes",
          params: { ...SHAPING_DEFAULTS, gzip_level: 3 },
          flowVersion: "t",
          nodeKey: "k",
        }),
      ).rejects.toThrow(/^natural_scenes\.h5: .*HDF5 error: /);
    } finally {
      execFileSync("umount", [disk]);
      rmSync(disk, { recursive: true, force: true });
    }
    // and through flow: the run's exit code and one line
    expect((await flow(ws, "status")).code).toBe(0);
  });
});
