// flow export writes the original's per-session .npy files; the figures are SVGs whose
// bars carry the statistics' numbers.
import { describe, it, expect, inject } from "vitest";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import h5wasm from "h5wasm/node";
import { flow, tempDir } from "../rig.js";

/** A minimal .npy reader (format 1.0), independent of the writer. */
function readNpy(path: string): { descr: string; shape: number[]; data: Buffer } {
  const b = readFileSync(path);
  expect(b.subarray(0, 6).toString("latin1")).toBe("\x93NUMPY");
  const len = b.readUInt16LE(8);
  const header = b.subarray(10, 10 + len).toString("latin1");
  expect((10 + len) % 64).toBe(0);
  const descr = /'descr': '([^']+)'/.exec(header)![1]!;
  const shape = /'shape': \(([^)]*)\)/.exec(header)![1]!.split(",").map((x) => x.trim()).filter(Boolean).map(Number);
  expect(header).toContain("'fortran_order': False");
  return { descr, shape, data: b.subarray(10 + len) };
}

describe("flow export", () => {
  it("writes one .npy per session: spikes as units × presentations × time, speed as presentations × time", async () => {
    await h5wasm.ready;
    const ws = inject("exampleWorkspace");
    const out = tempDir();
    const r = await flow(ws, "export", "natural_scenes", "VISp", out);
    expect(r.code, r.stderr).toBe(0);
    const files = readdirSync(out).sort();
    const f = new h5wasm.File(join(ws, "data/02_stimulus_types/natural_scenes.h5"), "r");
    const sessions = f.keys().filter((s) => (f.get(s) as unknown as { keys(): string[] }).keys().includes("VISp"));
    expect(files).toEqual(sessions.map((s) => `${s}-natural_scenes-VISp-spike_data.npy`));
    for (const s of sessions) {
      const ds = f.get(`${s}/VISp/spike_data/spike_data`) as unknown as { shape: number[]; value: Uint8Array };
      const [P, U, T] = ds.shape as [number, number, number];
      const npy = readNpy(join(out, `${s}-natural_scenes-VISp-spike_data.npy`));
      expect(npy.descr).toBe("|u1");
      expect(npy.shape).toEqual([U, P, T]);
      for (let u = 0; u < U; u++) for (let p = 0; p < P; p++) for (let k = 0; k < T; k += 4) {
        expect(npy.data[(u * P + p) * T + k]).toBe(ds.value[(p * U + u) * T + k]);
      }
    }
    const sp = tempDir();
    expect((await flow(ws, "export", "natural_scenes", "VISp", sp, "--data", "speed")).code).toBe(0);
    const npy = readNpy(join(sp, `${sessions[0]}-natural_scenes-VISp-speed.npy`));
    const speed = f.get(`${sessions[0]}/VISp/speed/speed`) as unknown as { shape: number[]; value: Float32Array };
    expect(npy.descr).toBe("<f4");
    expect(npy.shape).toEqual(speed.shape);
    expect(Array.from(new Float32Array(npy.data.buffer.slice(npy.data.byteOffset, npy.data.byteOffset + npy.data.length)))).toEqual(Array.from(speed.value));
    f.close();
  });

  it("says clearly when the stimulus or structure does not exist", async () => {
    const ws = inject("exampleWorkspace");
    const a = await flow(ws, "export", "nosuch", "VISp", tempDir());
    expect(a.code).toBe(2);
    expect(a.stderr.trim()).toBe("flow export: unknown stimulus 'nosuch' (stimuli: gabors, flashes, drifting_gratings, static_gratings, natural_scenes, natural_movie_one, natural_movie_three, drifting_gratings_contrast, drifting_gratings_75_repeats, dot_motion)");
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
    expect(opt.stderr.trim()).toBe("flow: Unknown option '--frobnicate'");
    const file = join(tempDir(), "a-file");
    writeFileSync(file, "x");
    const target = await flow(ws, "export", "natural_scenes", "VISp", file);
    expect(target.code).toBe(3);
    expect(target.stderr.trim()).toBe(`flow: ${file}: cannot mkdir: already exists (EEXIST)`);
  });
});

describe("figures", () => {
  it("draw one bar per stimulus with its number of sessions, and a raster", () => {
    const ws = inject("exampleWorkspace");
    const stats = readFileSync(join(ws, "data/combined_statistics.csv"), "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
    const sessions = new Map<string, Set<string>>();
    for (const [stim, sess] of stats) (sessions.get(stim!) ?? sessions.set(stim!, new Set()).get(stim!)!).add(sess!);
    const svg = readFileSync(join(ws, "data/figures/sessions_per_stimulus.svg"), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    for (const [stim, set] of sessions) expect(svg).toMatch(new RegExp(`>${stim}</text>[\\s\\S]*?>${set.size}</text>`));
    const raster = readFileSync(join(ws, "data/figures/raster.svg"), "utf8");
    expect(raster).toContain("natural_scenes, session");
    expect((raster.match(/fill="black"/g) ?? []).length).toBeGreaterThan(10);
    for (const f of ["units_per_structure.svg", "presentations_per_structure.svg"]) expect(readFileSync(join(ws, "data/figures", f), "utf8")).toContain("<rect");
  });
});
