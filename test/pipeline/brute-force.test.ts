// Every bin of every output group, checked against an independent count. Nothing here
// calls the production binning, reader or cleaning code: units are filtered from the
// raw NWB datasets, presentations come from 03_filtered.csv, and each bin is counted
// with AllenSDK's formula searchsorted(s, b, "right") − searchsorted(s, a, "left").
import { describe, it, expect, inject, beforeAll } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import h5wasm from "h5wasm/node";

type Ds = { value: unknown; shape: number[] };
const W = 0.02;
const RELEVANT: Record<string, string[]> = {
  gabors: ["orientation", "y_position", "x_position"],
  flashes: ["color"],
  drifting_gratings: ["temporal_frequency", "orientation"],
  static_gratings: ["phase", "spatial_frequency", "orientation"],
  natural_scenes: ["frame"],
  natural_movie_one: ["frame"],
  natural_movie_three: ["frame"],
  drifting_gratings_contrast: ["contrast", "orientation"],
  drifting_gratings_75_repeats: ["contrast", "orientation"],
  dot_motion: ["Speed", "Dir"],
};
const SOURCES: Record<string, string[]> = { natural_movie_one: ["natural_movie_one", "natural_movie_one_more_repeats"] };

/** A small quote-aware CSV reader (cells like "[20.0, 20.0]" hold commas). */
function csv(text: string) {
  const lines = text
    .trim()
    .split("\n")
    .map((l) => {
      const cells: string[] = [];
      let cur = "",
        q = false;
      for (const ch of l) {
        if (ch === '"') q = !q;
        else if (ch === "," && !q) {
          cells.push(cur);
          cur = "";
        } else cur += ch;
      }
      cells.push(cur);
      return cells;
    });
  const [head, ...rows] = lines;
  return rows.map((r) => Object.fromEntries(head!.map((h, i) => [h, r[i]!])));
}
const nums = (v: unknown) => Array.from(v as ArrayLike<number | bigint>, (x) => Number(x));

function searchLeft(s: number[], v: number) {
  let lo = 0,
    hi = s.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (s[m]! < v) lo = m + 1;
    else hi = m;
  }
  return lo;
}
function searchRight(s: number[], v: number) {
  let lo = 0,
    hi = s.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (s[m]! <= v) lo = m + 1;
    else hi = m;
  }
  return lo;
}
function interp(x: number, xp: number[], fp: number[]) {
  if (x <= xp[0]!) return fp[0]!;
  if (x >= xp[xp.length - 1]!) return fp[fp.length - 1]!;
  const j = searchRight(xp, x) - 1;
  if (xp[j] === x) return fp[j]!;
  return ((fp[j + 1]! - fp[j]!) / (xp[j + 1]! - xp[j]!)) * (x - xp[j]!) + fp[j]!;
}

interface Session {
  units: Map<string, { id: number; spikes: number[] }[]>;
  run: { t: number[]; v: number[] };
  gaze?: Record<string, { t: number[]; v: number[] }>;
}

/** The default filter, from raw datasets: valid channel, location, quality, three metrics. */
function loadSession(path: string): Session {
  const f = new h5wasm.File(path, "r");
  const g = (p: string) => (f.get(p) as unknown as Ds).value;
  const chId = nums(g("general/extracellular_ephys/electrodes/id"));
  const loc = g("general/extracellular_ephys/electrodes/location") as string[];
  const valid = nums(g("general/extracellular_ephys/electrodes/valid_data"));
  const probe = g("general/extracellular_ephys/electrodes/group_name") as string[];
  const vert = nums(g("general/extracellular_ephys/electrodes/probe_vertical_position"));
  const horiz = nums(g("general/extracellular_ephys/electrodes/probe_horizontal_position"));
  const ids = nums(g("units/id")),
    peak = nums(g("units/peak_channel_id")),
    q = g("units/quality") as string[];
  const ac = nums(g("units/amplitude_cutoff")),
    pr = nums(g("units/presence_ratio")),
    isi = nums(g("units/isi_violations"));
  const all = nums(g("units/spike_times")),
    idx = nums(g("units/spike_times_index"));
  const kept: { id: number; s: string; key: [string, number, number, number]; spikes: number[] }[] = [];
  for (let i = 0; i < ids.length; i++) {
    const c = chId.indexOf(peak[i]!);
    if (c < 0 || valid[c] !== 1 || loc[c] === "" || loc[c] === "None" || q[i] !== "good") continue;
    if (!(ac[i]! <= 0.1 && pr[i]! >= 0.95 && isi[i]! <= 0.5)) continue;
    kept.push({ id: ids[i]!, s: loc[c]!, key: [probe[c]!, vert[c]!, horiz[c]!, i], spikes: all.slice(i ? idx[i - 1] : 0, idx[i]) });
  }
  kept.sort((a, b) => (a.key[0] < b.key[0] ? -1 : a.key[0] > b.key[0] ? 1 : a.key[1] - b.key[1] || a.key[2] - b.key[2] || a.key[3] - b.key[3]));
  const units = new Map<string, { id: number; spikes: number[] }[]>();
  for (const u of kept) (units.get(u.s) ?? units.set(u.s, []).get(u.s)!).push({ id: u.id, spikes: u.spikes });
  const run = { t: nums(g("processing/running/running_speed/timestamps")), v: nums(g("processing/running/running_speed/data")) };
  let gaze: Session["gaze"];
  if (f.keys().includes("processing") && (f.get("processing") as unknown as { keys(): string[] }).keys().includes("raw_gaze_mapping")) {
    const t = nums(g("processing/raw_gaze_mapping/eye_area/timestamps"));
    const sc = nums(g("processing/raw_gaze_mapping/screen_coordinates/data"));
    gaze = {
      raw_eye_area: { t, v: nums(g("processing/raw_gaze_mapping/eye_area/data")) },
      raw_screen_coordinates_x_cm: { t, v: t.map((_, i) => sc[2 * i + 1]!) },
      raw_screen_coordinates_y_cm: { t, v: t.map((_, i) => sc[2 * i]!) },
    };
  }
  f.close();
  return { units, run, gaze };
}

describe("binned tensors against an independent brute-force count", () => {
  let ws: string, cache: string;
  let filtered: Record<string, string>[];
  const sessions = new Map<number, Session>();
  beforeAll(async () => {
    await h5wasm.ready;
    ws = inject("exampleWorkspace");
    cache = inject("exampleCache");
    filtered = csv(readFileSync(join(ws, "data/presentations/03_filtered.csv"), "utf8"));
    for (const d of readdirSync(cache).filter((x) => x.startsWith("session_")))
      sessions.set(Number(d.slice(8)), loadSession(join(cache, d, `${d}.nwb`)));
  });

  for (const stim of Object.keys(RELEVANT)) {
    it(`${stim}: every bin, the unit list, speed and pupil`, () => {
      const f = new h5wasm.File(join(ws, "data/02_stimulus_types", `${stim}.h5`), "r");
      let bins = 0,
        ones = 0,
        groups = 0;
      const isMovie = stim.startsWith("natural_movie");
      try {
        for (const [sid, sess] of sessions) {
          const rows = filtered.filter((r) => Number(r.session_id) === sid && (SOURCES[stim] ?? [stim]).includes(r.stimulus_name!));
          const has = f.keys().includes(`session_${sid}`);
          expect(has).toBe(rows.length > 0);
          if (!has) continue;
          const P = rows.length;
          const T = Math.ceil(Math.max(...rows.map((r) => Number(r.duration))) / W);
          const start = rows.map((r) => Number(r.start_time)),
            stop = rows.map((r) => Number(r.stop_time));
          expect(f.get(`session_${sid}`) && (f.get(`session_${sid}`) as unknown as { keys(): string[] }).keys().sort()).toEqual(
            [...sess.units.keys()].sort(),
          );
          for (const [structure, units] of sess.units) {
            const base = `session_${sid}/${structure}`;
            const get = (p: string) => f.get(`${base}/${p}`) as unknown as Ds;
            const sd = get("spike_data/spike_data");
            expect(sd.shape).toEqual([P, units.length, T]);
            expect(nums(get("spike_data/unit_id").value)).toEqual(units.map((u) => u.id));
            expect(nums(get("spike_data/presentation_id").value)).toEqual(rows.map((r) => Number(r.stimulus_presentation_id)));
            expect(Array.from(get("spike_data/time").value as Float64Array)).toEqual(Array.from({ length: T }, (_, k) => (k + 0.5) * W));
            const data = sd.value as Uint8Array;
            for (let p = 0; p < P; p++) {
              for (let u = 0; u < units.length; u++) {
                const s = units[u]!.spikes;
                for (let k = 0; k < T; k++) {
                  let a = start[p]! + k * W,
                    b = start[p]! + (k + 1) * W;
                  if (isMovie) {
                    a = Math.min(a, stop[p]!);
                    b = Math.min(b, stop[p]!);
                  }
                  const count = searchRight(s, b) - searchLeft(s, a);
                  const got = data[(p * units.length + u) * T + k]!;
                  if (got !== (count > 0 ? 1 : 0)) throw new Error(`${base} p=${p} u=${u} k=${k}: got ${got}, count ${count} in [${a}, ${b}]`);
                  bins++;
                  ones += got;
                }
              }
            }
            // speed and pupil at start + bin centre (float32)
            const speed = get("speed/speed").value as Float32Array;
            for (let p = 0; p < P; p += Math.max(1, Math.floor(P / 7)))
              for (let k = 0; k < T; k += 3) {
                expect(speed[p * T + k]).toBe(Math.fround(interp(start[p]! + (k + 0.5) * W, sess.run.t, sess.run.v)));
              }
            const pupilGroups = (f.get(base) as unknown as { keys(): string[] }).keys();
            expect(pupilGroups.includes("pupil_data")).toBe(!!sess.gaze);
            if (sess.gaze)
              for (const [col, sig] of Object.entries(sess.gaze)) {
                const v = get(`pupil_data/${col}`).value as Float32Array;
                for (let p = 0; p < P; p += Math.max(1, Math.floor(P / 5)))
                  for (let k = 0; k < T; k += 5) {
                    expect(v[p * T + k]).toBe(Math.fround(interp(start[p]! + (k + 0.5) * W, sig.t, sig.v)));
                  }
              }
            // the presentations group carries the CSV's values in float64
            expect(Array.from(get("presentations/start_time").value as Float64Array)).toEqual(start);
            for (const param of RELEVANT[stim]!) {
              expect(Array.from(get(`presentations/${param}`).value as Float64Array)).toEqual(rows.map((r) => Number(r[param])));
            }
            groups++;
          }
        }
      } finally {
        f.close();
      }
      expect(groups).toBeGreaterThan(0);
      expect(ones).toBeGreaterThan(0);
      expect(ones).toBeLessThan(bins);
    });
  }
});
