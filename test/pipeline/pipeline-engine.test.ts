// The engine on the real pipeline: what re-runs after a param change, an invalidate,
// a deleted output; and byte-identical outputs across fresh workspaces and --jobs.
import { describe, it, expect, inject } from "vitest";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { hashTree } from "../../bench/lib.js";
import { pipelineWorkspace, runJson, flow } from "../rig.js";

describe("the Allen pipeline under the engine", () => {
  it("re-runs exactly what a change touches, and restores what the cache has", async () => {
    const ws = pipelineWorkspace();
    const cache = `allen_cache=${inject("exampleCache")}`;
    const first = await runJson(ws, "--set", cache);
    expect(first.code).toBe(0);
    // presentations, units; medians, clean per session, tables; bins; files, subsets, stats, figures, figures per stimulus
    expect(first.summary.ran.length).toBe(4 + 4 + (1 + 4 + 1) + 40 + 10 + 3 + 1 + 1 + 10);

    // a bin-only param: presentations, units and the clean-up stay; every bin and what reads bins re-run
    const bw = await runJson(ws, "--set", cache, "--set", "bin_width=0.025");
    expect(bw.summary.ran.filter((id) => /^(presentations|units|medians|clean|tables)\b/.test(id))).toEqual([]);
    expect(bw.summary.ran.filter((id) => id.startsWith("bin[")).length).toBe(40);
    expect(bw.summary.ran).toContain("stimulus_file[stimulus=dot_motion]");

    // back to the default: all restored from the cache, nothing computed
    const back = await runJson(ws, "--set", cache);
    expect(back.summary.ran).toEqual([]);
    // (the bar charts read only the statistics, equal under both bin widths: up to date throughout)
    expect(back.summary.restored.length).toBe(40 + 10 + 3 + 1 + 10);

    // a QC threshold: units and everything downstream of units
    const qc = await runJson(ws, "--set", cache, "--set", "isi_violations_maximum=0.4");
    expect(qc.summary.ran.filter((id) => id.startsWith("units[")).length).toBe(4);
    expect(qc.summary.ran.filter((id) => /^(presentations|medians|clean|tables)\b/.test(id))).toEqual([]);
    await runJson(ws, "--set", cache);

    // invalidate one stimulus: only its nodes and their dependents
    const inv = await flow(ws, "invalidate", "--set", cache, "stimulus=dot_motion");
    expect(inv.code).toBe(0);
    const r = await runJson(ws, "--set", cache);
    expect(r.summary.ran.sort()).toEqual([
      "bin[session=715093703,stimulus=dot_motion]",
      "bin[session=719161530,stimulus=dot_motion]",
      "bin[session=766640955,stimulus=dot_motion]",
      "bin[session=767871931,stimulus=dot_motion]",
      "figures",
      "stats",
      "stimulus_figures[stimulus=dot_motion]",
      "stimulus_file[stimulus=dot_motion]",
    ]);

    // a deleted output is restored, not recomputed
    rmSync(join(ws, "data/02_stimulus_types/gabors.h5"));
    const restored = await runJson(ws, "--set", cache);
    expect(restored.summary.ran).toEqual([]);
    expect(restored.summary.restored).toEqual(["stimulus_file[stimulus=gabors]"]);
  });

  it("gives byte-identical outputs in a fresh workspace, with --jobs 1 and --jobs 2", async () => {
    // the global setup's example run is the fresh --jobs 2 workspace
    const a = pipelineWorkspace();
    await runJson(a, "--set", `allen_cache=${inject("exampleCache")}`, "--jobs", "1");
    const ha = hashTree(join(a, "data"));
    expect(Object.keys(ha).length).toBeGreaterThan(60);
    expect(hashTree(join(inject("exampleWorkspace"), "data"))).toEqual(ha);
  });
});
