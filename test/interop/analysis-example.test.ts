// The worked analysis (examples/analysis/): a pipeline of its own whose Python steps read
// the Allen pipeline's output with xarray — mean binned firing rates per structure and
// condition, checked against an independent count over the same HDF5 file (h5wasm here),
// and a tuning figure. Editing a script re-runs exactly its nodes. Needs Debian's
// python3-xarray, python3-h5netcdf and python3-h5py (.ci/run installs them).
import { describe, it, expect, inject } from "vitest";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import h5wasm from "h5wasm/node";
import type { H5Group, H5Dataset } from "../../tasks/formats/h5.js";
import { FLOW, REPO, tempDir } from "../rig.js";

const python = await execa("/usr/bin/python3", ["-c", "import xarray, h5netcdf, h5py"], { reject: false });
const missing = python.exitCode !== 0;
if (missing)
  console.warn(
    "SKIPPED the analysis example: /usr/bin/python3 cannot import xarray, h5netcdf and h5py (Debian: python3-xarray python3-h5netcdf python3-h5py)",
  );

/** Mean binned rate per structure and condition, counted here from the stimulus file itself. */
async function expected(h5: string): Promise<Map<string, { rate: number; presentations: number }>> {
  await h5wasm.ready;
  const f = new h5wasm.File(h5, "r");
  const acc = new Map<string, { sum: number; n: number; presentations: number }>();
  try {
    for (const session of f.keys()) {
      const sg = f.get(session) as H5Group;
      for (const structure of sg.keys()) {
        const sd = f.get(`${session}/${structure}/spike_data/spike_data`) as H5Dataset;
        const [P, U, T] = sd.shape as [number, number, number];
        const bits = sd.value as Uint8Array;
        const time = (f.get(`${session}/${structure}/spike_data/time`) as H5Dataset).value as Float64Array;
        const width = time[1]! - time[0]!;
        const ori = (f.get(`${session}/${structure}/presentations/orientation`) as H5Dataset).value as Float64Array;
        const tf = (f.get(`${session}/${structure}/presentations/temporal_frequency`) as H5Dataset).value as Float64Array;
        for (let p = 0; p < P; p++) {
          const key = `${structure}|orientation=${ori[p]};temporal_frequency=${tf[p]}`;
          const a = acc.get(key) ?? { sum: 0, n: 0, presentations: 0 };
          a.presentations++;
          for (let u = 0; u < U; u++) {
            let k = 0;
            for (let t = 0; t < T; t++) k += bits[(p * U + u) * T + t]!;
            a.sum += k / (T * width);
            a.n++;
          }
          acc.set(key, a);
        }
      }
    }
  } finally {
    f.close();
  }
  return new Map([...acc].map(([k, a]) => [k, { rate: a.sum / a.n, presentations: a.presentations }]));
}

describe.skipIf(missing)("the worked analysis example", () => {
  it("computes the rates an independent count gives, draws the figure, and re-runs exactly the edited script's nodes", async () => {
    const ws = join(tempDir("flow-analysis-"), "analysis");
    cpSync(join(REPO, "examples/analysis"), ws, { recursive: true, filter: (p) => !/\/(out|\.flow|cache)$/.test(p) });
    const data = join(inject("exampleWorkspace"), "data");
    const env = { ...process.env, PATH: `/usr/bin:${process.env.PATH}` }; // Debian's python3 and its xarray
    const flow = (...args: string[]) => execa(process.execPath, [FLOW, ...args, "--set", `flow_data=${data}`], { cwd: ws, env, reject: false });
    const r = await flow("run");
    expect(r.exitCode, r.stderr).toBe(0);
    const rows = readFileSync(join(ws, "out/drifting_gratings_rates.csv"), "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(","));
    const want = await expected(join(data, "02_stimulus_types/drifting_gratings.h5"));
    expect(rows.length).toBe(want.size);
    for (const [structure, condition, , , , , n, rate] of rows) {
      const w = want.get(`${structure}|${condition}`)!;
      expect(w, `${structure} ${condition}`).toBeDefined();
      expect(Number(n)).toBe(w.presentations);
      expect(Number(rate)).toBeCloseTo(w.rate, 6);
    }
    const svg = readFileSync(join(ws, "out/drifting_gratings_tuning.svg"), "utf8");
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect((svg.match(/<polyline/g) ?? []).length).toBe(8);
    // the probe's output is recorded
    const recs = JSON.parse((await flow("log", "task=rates", "--json")).stdout);
    expect(Object.keys(recs[0].environment)[0]).toContain("import sys, numpy, xarray, h5py");
    // an edit of the analysis script: exactly its node runs (the figure's input comes out the same)
    const script = join(ws, "scripts/firing_rates.py");
    writeFileSync(script, readFileSync(script, "utf8") + "\n# a note\n");
    const st = JSON.parse((await flow("status", "--json")).stdout) as { id: string; state: string; reasons: string[] }[];
    expect(st.find((n) => n.id === "rates")).toMatchObject({ state: "stale", reasons: ["task code changed: scripts/firing_rates.py"] });
    const again = await flow("run", "--json");
    const summary = JSON.parse(again.stdout.trim().split("\n").pop()!);
    expect(summary.ran).toEqual(["rates"]);
    expect(summary.upToDate).toEqual(["tuning"]);
    // a module both scripts import (code: scripts/common/*.py): both run
    writeFileSync(join(ws, "scripts/common/csvio.py"), readFileSync(join(ws, "scripts/common/csvio.py"), "utf8") + "\n# shared\n");
    const both = JSON.parse((await flow("run", "--json")).stdout.trim().split("\n").pop()!);
    expect(both.ran.sort()).toEqual(["rates", "tuning"]);
  }, 120_000);
});
