// flow export writes per-session files — labelled .npz, or the original's bare .npy with a
// .json sidecar; the bar charts carry the statistics' numbers (the figures of each
// stimulus type: figures-content.test.ts).
import { describe, it, expect, inject } from "vitest";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import h5wasm from "h5wasm/node";
import { flow as flowIn, tempDir } from "../rig.js";

// the example workspace was built with this cache: every command names it
const flow = (ws: string, ...args: string[]) => flowIn(ws, ...args, "--set", `allen_cache=${inject("exampleCache")}`);
const numpy = spawnSync("/usr/bin/python3", ["-c", "import numpy"]).status === 0;
if (!numpy) console.warn("SKIPPED reading flow export's .npz with numpy: no python3-numpy (.ci/run installs it)");

/** A minimal .npy reader (format 1.0), independent of the writer. */
function readNpy(path: string): { descr: string; shape: number[]; data: Buffer } {
  const b = readFileSync(path);
  expect(b.subarray(0, 6).toString("latin1")).toBe("\x93NUMPY");
  const len = b.readUInt16LE(8);
  const header = b.subarray(10, 10 + len).toString("latin1");
  expect((10 + len) % 64).toBe(0);
  const descr = /'descr': '([^']+)'/.exec(header)![1]!;
  const shape = /'shape': \(([^)]*)\)/
    .exec(header)![1]!
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean)
    .map(Number);
  expect(header).toContain("'fortran_order': False");
  return { descr, shape, data: b.subarray(10 + len) };
}

describe("flow export", () => {
  it("--format npy: one .npy per session (spikes as units × presentations × time, speed as presentations × time) and a .json naming the axes", async () => {
    await h5wasm.ready;
    const ws = inject("exampleWorkspace");
    const out = tempDir();
    const r = await flow(ws, "export", "natural_scenes", "VISp", out, "--format", "npy");
    expect(r.code, r.stderr).toBe(0);
    const files = readdirSync(out).sort();
    const f = new h5wasm.File(join(ws, "data/02_stimulus_types/natural_scenes.h5"), "r");
    const sessions = f.keys().filter((s) => (f.get(s) as unknown as { keys(): string[] }).keys().includes("VISp"));
    expect(files).toEqual(sessions.flatMap((s) => [`${s}-natural_scenes-VISp-spike_data.json`, `${s}-natural_scenes-VISp-spike_data.npy`]));
    const side = JSON.parse(readFileSync(join(out, `${sessions[0]}-natural_scenes-VISp-spike_data.json`), "utf8"));
    expect(side.dims).toEqual(["unit_id", "presentation_id", "time"]);
    const uid = f.get(`${sessions[0]}/VISp/spike_data/unit_id`) as unknown as { value: BigInt64Array };
    expect(side.unit_id).toEqual(Array.from(uid.value, Number));
    for (const s of sessions) {
      const ds = f.get(`${s}/VISp/spike_data/spike_data`) as unknown as { shape: number[]; value: Uint8Array };
      const [P, U, T] = ds.shape as [number, number, number];
      const npy = readNpy(join(out, `${s}-natural_scenes-VISp-spike_data.npy`));
      expect(npy.descr).toBe("|u1");
      expect(npy.shape).toEqual([U, P, T]);
      for (let u = 0; u < U; u++)
        for (let p = 0; p < P; p++)
          for (let k = 0; k < T; k += 4) {
            expect(npy.data[(u * P + p) * T + k]).toBe(ds.value[(p * U + u) * T + k]);
          }
    }
    const sp = tempDir();
    expect((await flow(ws, "export", "natural_scenes", "VISp", sp, "--data", "speed", "--format", "npy")).code).toBe(0);
    const npy = readNpy(join(sp, `${sessions[0]}-natural_scenes-VISp-speed.npy`));
    const speed = f.get(`${sessions[0]}/VISp/speed/speed`) as unknown as { shape: number[]; value: Float32Array };
    expect(npy.descr).toBe("<f4");
    expect(npy.shape).toEqual(speed.shape);
    expect(Array.from(new Float32Array(npy.data.buffer.slice(npy.data.byteOffset, npy.data.byteOffset + npy.data.length)))).toEqual(
      Array.from(speed.value),
    );
    f.close();
  });

  it.skipIf(!numpy)("writes a labelled .npz per session that numpy reads: arrays, coordinates and axis names; pupil data too", async () => {
    const ws = inject("exampleWorkspace");
    const out = tempDir();
    expect((await flow(ws, "export", "natural_scenes", "VISp", out)).code).toBe(0);
    expect((await flow(ws, "export", "natural_scenes", "VISp", out, "--data", "pupil")).code).toBe(0);
    const h5 = join(ws, "data/02_stimulus_types/natural_scenes.h5");
    // numpy reads what flow wrote; h5py reads the stimulus file; they must agree
    const py = spawnSync(
      "/usr/bin/python3",
      [
        "-c",
        `
import sys, glob, os, numpy as np, h5py
out, h5 = sys.argv[1], sys.argv[2]
f = h5py.File(h5, "r")
n = 0
for p in sorted(glob.glob(os.path.join(out, "*-spike_data.npz"))):
    sess = os.path.basename(p).split("-")[0]
    z = np.load(p)
    g = f[sess]["VISp"]["spike_data"]
    assert list(z["dims"]) == ["unit_id", "presentation_id", "time"], z["dims"]
    assert np.array_equal(z["spike_data"], np.transpose(g["spike_data"][()], (1, 0, 2)))
    for c in ("unit_id", "presentation_id", "time"): assert np.array_equal(z[c], g[c][()]), c
    n += 1
m = 0
for p in sorted(glob.glob(os.path.join(out, "*-pupil.npz"))):
    sess = os.path.basename(p).split("-")[0]
    z = np.load(p)
    g = f[sess]["VISp"]["pupil_data"]
    assert list(z["dims"]) == ["presentation_id", "time"]
    for k in g.keys():
        if k not in ("time_bounds", "nv"): assert np.array_equal(z[k], g[k][()]), k
    m += 1
print(n, m)
`,
        out,
        h5,
      ],
      { encoding: "utf8" },
    );
    expect(py.status, py.stderr).toBe(0);
    const [n, m] = py.stdout.trim().split(" ").map(Number);
    expect(n).toBeGreaterThan(0);
    expect(m).toBeGreaterThan(0); // sessions with eye tracking
  });

  it.skipIf(!numpy)("carries each presentation's times and stimulus parameters, equal to the stimulus table's row (03_filtered.csv)", async () => {
    const ws = inject("exampleWorkspace");
    const out = tempDir();
    expect((await flow(ws, "export", "drifting_gratings", "VISp", out)).code).toBe(0);
    const npyOut = tempDir();
    expect((await flow(ws, "export", "drifting_gratings", "VISp", npyOut, "--format", "npy", "--data", "speed")).code).toBe(0);
    // the table flow wrote as CSV, read by Python's csv module: "null" is a missing parameter
    const py = spawnSync(
      "/usr/bin/python3",
      [
        "-c",
        `
import sys, glob, os, csv, json, numpy as np
out, npy_out, table = sys.argv[1], sys.argv[2], sys.argv[3]
rows = {(int(r["session_id"]), int(r["stimulus_presentation_id"])): r for r in csv.DictReader(open(table)) if r["stimulus_name"] == "drifting_gratings"}
num = lambda v: float("nan") if v in ("null", "") else float(v)
cols = ["start_time", "stop_time", "duration", "stimulus_block", "temporal_frequency", "orientation"]
n = 0
for p in sorted(glob.glob(os.path.join(out, "*.npz"))):
    sid = int(os.path.basename(p).split("-")[0].split("_")[1])
    z = np.load(p)
    assert sorted(z["presentation_columns"]) == sorted(cols), list(z["presentation_columns"])
    for i, pid in enumerate(z["presentation_id"]):
        r = rows[(sid, int(pid))]
        for c in cols:
            assert np.array_equal(np.float64(num(r[c])), z[c][i], equal_nan=True), (sid, pid, c, r[c], z[c][i])
        n += 1
    side = json.load(open(os.path.join(npy_out, os.path.basename(p).replace("spike_data.npz", "speed.json"))))
    assert side["presentations"]["orientation"] == [None if np.isnan(x) else float(x) for x in z["orientation"]]
print(n)
`,
        out,
        npyOut,
        join(ws, "data/presentations/03_filtered.csv"),
      ],
      { encoding: "utf8" },
    );
    expect(py.status, py.stderr).toBe(0);
    expect(Number(py.stdout.trim())).toBeGreaterThan(10);
  });

  it("refuses a stimulus file that is not up to date, and leaves no folder behind when nothing is written", async () => {
    const ws = inject("exampleWorkspace");
    const out = join(tempDir(), "new-folder");
    const stale = await flowIn(
      ws,
      "export",
      "natural_scenes",
      "VISp",
      out,
      "--set",
      `allen_cache=${inject("exampleCache")}`,
      "--set",
      "bin_width=0.03",
    );
    expect(stale.code).toBe(3);
    expect(stale.stderr).toMatch(
      /natural_scenes\.h5 is not up to date \(stale: param bin_width changed \(0\.02 → 0\.03\); upstream: param bin_width changed \(0\.02 → 0\.03\) in 4 nodes\); run 'flow run' first/,
    );
    expect(existsSync(out)).toBe(false);
    const none = await flow(ws, "export", "natural_scenes", "XYZ", out);
    expect(none.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it("says clearly when the stimulus or structure does not exist", async () => {
    const ws = inject("exampleWorkspace");
    const a = await flow(ws, "export", "nosuch", "VISp", tempDir());
    expect(a.code).toBe(2);
    expect(a.stderr.trim()).toBe(
      "flow export: unknown stimulus 'nosuch' (stimuli: gabors, flashes, drifting_gratings, static_gratings, natural_scenes, natural_movie_one, natural_movie_three, drifting_gratings_contrast, drifting_gratings_75_repeats, dot_motion)",
    );
    // the stimulus becomes part of a path: no way out of the data folder
    const up = await flow(ws, "export", "../../../etc/passwd", "VISp", tempDir());
    expect(up.code).toBe(2);
    expect(up.stderr).toContain("unknown stimulus '../../../etc/passwd'");
    const b = await flow(ws, "export", "natural_scenes", "XYZ", tempDir());
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("no session of natural_scenes has structure 'XYZ'");
  });

  it("usage and environment problems are one line with their exit code, not an internal error", async () => {
    const ws = inject("exampleWorkspace");
    const opt = await flow(ws, "export", "natural_scenes", "VISp", tempDir(), "--frobnicate");
    expect(opt.code).toBe(2);
    expect(opt.stderr.trim()).toBe("flow: unknown option '--frobnicate'");
    // the one parser (commander) reads pipeline commands too: missing arguments, values outside the choices
    const few = await flow(ws, "export", "natural_scenes", "VISp");
    expect([few.code, few.stderr.trim()]).toEqual([2, "flow: missing required argument 'out_dir'"]);
    const fmt = await flow(ws, "export", "natural_scenes", "VISp", tempDir(), "--format", "zip");
    expect(fmt.code).toBe(2);
    expect(fmt.stderr.trim()).toBe("flow: option '--format <format>' argument 'zip' is invalid. Allowed choices are npz, npy.");
    const help = await flow(ws, "export", "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: flow export \[options\] <stimulus> <structure> <out_dir>/);
    expect(help.stdout).toMatch(/--format <format> +one \.npz per session/);
    const file = join(tempDir(), "a-file");
    writeFileSync(file, "x");
    const target = await flow(ws, "export", "natural_scenes", "VISp", file);
    expect(target.code).toBe(3);
    expect(target.stderr.trim()).toBe(`flow: ${file}: cannot mkdir: already exists (EEXIST)`);
  });
});

describe("figures", () => {
  const ws = () => inject("exampleWorkspace");
  const fig = (name: string) => readFileSync(join(ws(), "data/figures", name), "utf8");

  it("bar charts: one bar per stimulus with its number of sessions, units per structure, an axis with ticks", () => {
    const stats = readFileSync(join(ws(), "data/combined_statistics.csv"), "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(","));
    const sessions = new Map<string, Set<string>>();
    for (const [stim, sess] of stats) (sessions.get(stim!) ?? sessions.set(stim!, new Set()).get(stim!)!).add(sess!);
    const svg = fig("sessions_per_stimulus.svg");
    expect(svg.startsWith("<svg")).toBe(true);
    for (const [stim, set] of sessions) expect(svg).toMatch(new RegExp(`>${stim}</text>[\\s\\S]*?>${set.size}</text>`));
    // units per structure: the most units of a structure in each session, summed (an independent count)
    const units = new Map<string, Map<string, number>>();
    for (const r of stats) {
      const m = units.get(r[2]!) ?? units.set(r[2]!, new Map()).get(r[2]!)!;
      m.set(r[1]!, Math.max(m.get(r[1]!) ?? 0, Number(r[4])));
    }
    const u = fig("units_per_structure.svg");
    for (const [s, m] of units)
      expect(u).toMatch(new RegExp(`>${s}</text>\\n<rect [^>]*/>\\n<text [^>]*>${[...m.values()].reduce((a, b) => a + b, 0)}</text>`));
    for (const f of [svg, u]) {
      expect(f).toMatch(/text-anchor="middle"[^>]*>0<\/text>/); // the axis starts at 0, with ticks
      expect((f.match(/stroke="#e4e4e4"/g) ?? []).length).toBeGreaterThanOrEqual(3);
    }
    expect(existsSync(join(ws(), "data/figures/presentations_per_structure.svg"))).toBe(false); // it showed one number for all
  });

  it("the filter summary shows every stimulus before and after the median-duration filter", () => {
    const rows = readFileSync(join(ws(), "data/presentations/filtered_summary.csv"), "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(","));
    const svg = fig("filter_summary.svg");
    for (const [name, before, after] of rows)
      expect(svg).toMatch(new RegExp(`>${name}</text>\\n<rect [^>]*/>\\n<text [^>]*>${before}</text>\\n<rect [^>]*/>\\n<text [^>]*>${after}</text>`));
  });

  it("labels follow the params, and a figure's bytes are the same in two runs", async () => {
    const { pipelineWorkspace } = await import("../rig.js");
    const w = pipelineWorkspace();
    const sets = ["--set", `allen_cache=${inject("exampleCache")}`, "--set", "bin_width=0.025"];
    expect((await flowIn(w, "run", ...sets)).code).toBe(0);
    const first = readFileSync(join(w, "data/figures/raster_flashes.svg"));
    expect(first.toString()).toContain("flashes: spikes per 25 ms bin");
    expect((await flowIn(w, "invalidate", "task=stimulus_figures", "stimulus=flashes", ...sets)).code).toBe(0);
    const again = await flowIn(w, "run", "--json", ...sets);
    expect(JSON.parse(again.stdout.trim().split("\n").pop()!).ran).toEqual(["stimulus_figures[stimulus=flashes]"]);
    expect(readFileSync(join(w, "data/figures/raster_flashes.svg")).equals(first)).toBe(true);
  }, 120_000);
});
