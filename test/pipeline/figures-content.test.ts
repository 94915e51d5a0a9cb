// The figures of each stimulus type say what the data say: every number drawn is checked
// against an independent count over the stimulus file (h5wasm reading the .h5 the user
// opens, not the cubes the figures were made from) — the raster's conditions, its unit
// and pixels, the PSTHs in spikes/s pooled over sessions, running and pupil mean ± SD,
// the onset and offset marks — and no figure has two labels on top of each other.
import { describe, it, expect, inject, beforeAll } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { inflateSync } from "node:zlib";
import { join } from "node:path";
import h5wasm from "h5wasm/node";
import type { H5Dataset, H5Group } from "../../tasks/formats/h5.js";

const ws = () => inject("exampleWorkspace");
const svg = (name: string) => readFileSync(join(ws(), "data/figures", name), "utf8");
const STIMULI = ["drifting_gratings", "natural_scenes", "natural_movie_one", "flashes"];

interface Session {
  id: number;
  /** structure → [P, U, T] and the bits */
  spikes: Map<string, { P: number; U: number; T: number; v: Uint8Array; units: number[] }>;
  params: Map<string, Float64Array>;
  ids: number[];
  speed: { P: number; T: number; v: Float32Array };
  pupil?: Float32Array;
  width: number;
}

/** Everything a check needs, read from the stimulus file. */
async function readStimulus(stimulus: string): Promise<{ sessions: Session[]; first: string }> {
  await h5wasm.ready;
  const f = new h5wasm.File(join(ws(), `data/02_stimulus_types/${stimulus}.h5`), "r");
  try {
    const first = (f.attrs["stimulus_parameters"]!.value as string[])[0]!;
    const sessions: Session[] = [];
    for (const s of f.keys().sort()) {
      const sg = f.get(s) as H5Group;
      const spikes = new Map<string, { P: number; U: number; T: number; v: Uint8Array; units: number[] }>();
      let any: string | undefined;
      for (const st of sg.keys()) {
        any ??= st;
        const d = f.get(`${s}/${st}/spike_data/spike_data`) as H5Dataset;
        const [P, U, T] = d.shape as [number, number, number];
        const units = Array.from((f.get(`${s}/${st}/spike_data/unit_id`) as H5Dataset).value as BigInt64Array, Number);
        spikes.set(st, { P, U, T, v: d.value as Uint8Array, units });
      }
      const pres = f.get(`${s}/${any}/presentations`) as H5Group;
      const params = new Map(pres.keys().map((k) => [k, (pres.get(k) as H5Dataset).value as Float64Array]));
      const sp = f.get(`${s}/${any}/speed/speed`) as H5Dataset;
      const [P, T] = sp.shape as [number, number];
      const hasPupil = (f.get(`${s}/${any}`) as H5Group).keys().includes("pupil_data");
      const time = (f.get(`${s}/${any}/speed/time`) as H5Dataset).value as Float64Array;
      sessions.push({
        id: Number(s.replace("session_", "")),
        spikes,
        params,
        ids: Array.from(params.get("presentation_id") as unknown as BigInt64Array, Number),
        speed: { P, T, v: sp.value as Float32Array },
        pupil: hasPupil ? ((f.get(`${s}/${any}/pupil_data/raw_pupil_area`) as H5Dataset).value as Float32Array) : undefined,
        width: T > 1 ? time[1]! - time[0]! : 2 * time[0]!,
      });
    }
    return { sessions, first };
  } finally {
    f.close();
  }
}

const median = (xs: number[]) => {
  const a = [...xs].sort((x, y) => x - y);
  const m = a.length >> 1;
  return a.length % 2 ? a[m]! : (a[m - 1]! + a[m]!) / 2;
};
/** Mean of each run of g values (NaN skipped), as drawn. */
const cols = (v: number[], g: number) =>
  Array.from({ length: Math.ceil(v.length / g) }, (_, c) => v.slice(c * g, (c + 1) * g).filter(Number.isFinite)).map((xs) =>
    xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN,
  );
const attrList = (tag: string, name: string) =>
  tag
    .match(new RegExp(`${name}="([^"]*)"`))![1]!
    .split(" ")
    .map(Number);
const close = (got: number[], want: number[]) => {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]!), `value ${i}: ${g} vs ${want[i]}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[i]!))));
};

/** The grayscale PNG of a data: URL as rows of pixels (filter type 0 rows, as written). */
function pngPixels(b64: string): { w: number; h: number; px: Uint8Array } {
  const b = Buffer.from(b64, "base64");
  const w = b.readUInt32BE(16),
    h = b.readUInt32BE(20);
  const idat: Buffer[] = [];
  for (let o = 8; o < b.length;) {
    const len = b.readUInt32BE(o),
      type = b.toString("latin1", o + 4, o + 8);
    if (type === "IDAT") idat.push(b.subarray(o + 8, o + 8 + len));
    o += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const px = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    expect(raw[y * (w + 1)]).toBe(0);
    px.set(raw.subarray(y * (w + 1) + 1, (y + 1) * (w + 1)), y * w);
  }
  return { w, h, px };
}

describe("figures of each stimulus type, against the stimulus file", () => {
  const data = new Map<string, Awaited<ReturnType<typeof readStimulus>>>();
  beforeAll(async () => {
    for (const s of STIMULI) data.set(s, await readStimulus(s));
  });

  it("the raster groups the first session's trials by the first parameter, in presentation order, with the value marked", () => {
    for (const stim of STIMULI) {
      const { sessions, first } = data.get(stim)!;
      const s = sessions[0]!;
      const values = s.params.get(first)!,
        start = s.params.get("start_time")!;
      const distinct = [...new Set(Array.from(values, (v) => (Number.isNaN(v) ? "NaN" : String(v))))].map(Number).sort((a, b) => a - b);
      const k = Math.max(1, Math.floor(120 / distinct.length));
      const fig = svg(`raster_${stim}.svg`);
      expect(fig).toContain(`rows grouped by ${first} (its value at the left)`);
      const bands = [...fig.matchAll(/<rect [^>]*data-value="([^"]+)" data-of="(\d+)" data-ids="([^"]*)"\/>/g)];
      const nPanels = Math.min(8, s.spikes.size);
      expect(bands.length).toBe(distinct.length * nPanels);
      distinct.forEach((v, i) => {
        const trials = Array.from(values.keys())
          .filter((p) => values[p] === v)
          .sort((a, b) => start[a]! - start[b]! || a - b);
        const [, value, of, ids] = bands[i]!;
        expect(Number(value)).toBeCloseTo(v, 4);
        expect(Number(of)).toBe(trials.length);
        expect(ids!.split(" ").map(Number)).toEqual(trials.slice(0, k).map((p) => s.ids[p]));
      });
    }
  });

  it("the raster draws each structure's most active unit, pixel for pixel, and its PSTH in spikes/s over all trials and units", () => {
    for (const stim of STIMULI) {
      const { sessions, first } = data.get(stim)!;
      const s = sessions[0]!;
      const fig = svg(`raster_${stim}.svg`);
      const structures = [...s.spikes].sort((a, b) => b[1].U - a[1].U || (a[0] < b[0] ? -1 : 1)).slice(0, 8);
      const pngs = [...fig.matchAll(/href="data:image\/png;base64,([^"]+)"/g)].map((m) => pngPixels(m[1]!));
      const rates = [...fig.matchAll(/<path [^>]*data-rate="[^"]*"\/>/g)].map((m) => attrList(m[0], "data-rate"));
      expect(pngs.length).toBe(structures.length);
      // the rows in drawn order, as the bands say
      const order = [...fig.matchAll(/data-ids="([^"]*)"/g)]
        .slice(0, new Set(Array.from(s.params.get(first)!, String)).size)
        .flatMap((m) => m[1]!.split(" ").map((id) => s.ids.indexOf(Number(id))));
      structures.forEach(([name, c], i) => {
        const perUnit = Array.from({ length: c.U }, (_, u) => {
          let n = 0;
          for (let p = 0; p < c.P; p++) for (let k = 0; k < c.T; k++) n += c.v[(p * c.U + u) * c.T + k]!;
          return n;
        });
        const u = perUnit.indexOf(Math.max(...perUnit));
        expect(fig).toContain(`<tspan font-weight="bold">${name}</tspan> — unit ${c.units[u]}, the most active of ${c.U}</text>`);
        const g = Math.max(1, Math.ceil(c.T / 600));
        const { w, h, px } = pngs[i]!;
        expect([w, h]).toEqual([Math.ceil(c.T / g), order.length]);
        order.forEach((p, r) => {
          for (let col = 0; col < w; col++) {
            let any = 0;
            for (let k = col * g; k < Math.min(c.T, (col + 1) * g); k++) any |= c.v[(p * c.U + u) * c.T + k]!;
            expect(px[r * w + col], `${stim} ${name} row ${r} column ${col}`).toBe(any ? 0 : 247);
          }
        });
        const perBin = Array.from({ length: c.T }, (_, k) => {
          let n = 0;
          for (let p = 0; p < c.P; p++) for (let uu = 0; uu < c.U; uu++) n += c.v[(p * c.U + uu) * c.T + k]!;
          return n / (c.P * c.U) / s.width;
        });
        close(rates[i]!, cols(perBin, g));
      });
      // onset at 0, offset at the median duration of the session's presentations
      expect(fig).toMatch(/data-marks="onset" data-t="0"/);
      const off = Number(/data-marks="offset" data-t="([^"]+)"/.exec(fig)![1]);
      expect(off).toBeCloseTo(median(Array.from(s.params.get("duration")!)), 5);
    }
  });

  it("the population PSTH pools every session's units and trials per structure, bin by bin, in spikes/s", () => {
    for (const stim of STIMULI) {
      const { sessions } = data.get(stim)!;
      const pooled = new Map<string, { spikes: number[]; samples: number[]; units: number; sessions: number }>();
      for (const s of sessions)
        for (const [name, c] of s.spikes) {
          const e = pooled.get(name) ?? pooled.set(name, { spikes: [], samples: [], units: 0, sessions: 0 }).get(name)!;
          for (let k = 0; k < c.T; k++) {
            let n = 0;
            for (let p = 0; p < c.P; p++) for (let u = 0; u < c.U; u++) n += c.v[(p * c.U + u) * c.T + k]!;
            e.spikes[k] = (e.spikes[k] ?? 0) + n;
            e.samples[k] = (e.samples[k] ?? 0) + c.P * c.U;
          }
          e.units += c.U;
          e.sessions++;
        }
      const fig = svg(`psth_${stim}.svg`);
      const w = sessions[0]!.width;
      const order = [...pooled].sort((a, b) => b[1].units - a[1].units || (a[0] < b[0] ? -1 : 1));
      const panels = [...fig.matchAll(/<path [^>]*data-rate="[^"]*"\/>/g)].map((m) => attrList(m[0], "data-rate"));
      const names = [...fig.matchAll(/<g data-structure="([^"]+)" data-group="(\d+)"\/>/g)];
      expect(names.map((m) => m[1])).toEqual(order.map(([n]) => n));
      order.forEach(([name, e], i) => {
        expect(fig).toContain(`<tspan font-weight="bold">${name}</tspan>: ${e.units} unit${e.units === 1 ? "" : "s"}, ${e.sessions} session`);
        close(
          panels[i]!,
          cols(
            e.spikes.map((n, k) => n / e.samples[k]! / w),
            Number(names[i]![2]),
          ),
        );
      });
      const all = sessions.flatMap((s) => Array.from(s.params.get("duration")!));
      expect(Number(/data-marks="offset" data-t="([^"]+)"/.exec(fig)![1])).toBeCloseTo(median(all), 5);
    }
  });

  it("running velocity and pupil area: mean ± SD (ddof 0) over every trial of every session, bin by bin", () => {
    for (const stim of STIMULI) {
      const { sessions } = data.get(stim)!;
      const fig = svg(`behaviour_${stim}.svg`);
      const groups = [...fig.matchAll(/<g data-signal="([^"]+)" data-group="(\d+)"\/>/g)];
      const means = [...fig.matchAll(/<polyline [^>]*data-mean="[^"]*"\/>/g)].map((m) => attrList(m[0], "data-mean"));
      const sds = [...fig.matchAll(/<polygon [^>]*data-sd="[^"]*"\/>/g)].map((m) => attrList(m[0], "data-sd"));
      const signals: [string, { P: number; T: number; v: Float32Array }[]][] = [
        ["running velocity (cm/s)", sessions.map((s) => s.speed)],
        ["pupil area (pixel²)", sessions.filter((s) => s.pupil).map((s) => ({ P: s.speed.P, T: s.speed.T, v: s.pupil! }))],
      ];
      let drawn = 0;
      for (const [label, parts] of signals) {
        const trials = parts.reduce((a, p) => a + p.P, 0);
        expect(fig).toContain(`<tspan font-weight="bold">${label}</tspan>: mean ± SD over ${trials} trials, ${parts.length} session`);
        if (trials === 0) continue;
        const T = Math.max(...parts.map((p) => p.T));
        const mean: number[] = [],
          sd: number[] = [];
        for (let k = 0; k < T; k++) {
          const xs: number[] = [];
          for (const p of parts) if (k < p.T) for (let t = 0; t < p.P; t++) if (!Number.isNaN(p.v[t * p.T + k]!)) xs.push(p.v[t * p.T + k]!);
          const m = xs.reduce((a, b) => a + b, 0) / xs.length;
          mean.push(m);
          sd.push(Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length));
        }
        expect(groups[drawn]![1]).toBe(label);
        const g = Number(groups[drawn]![2]);
        close(means[drawn]!, cols(mean, g));
        close(sds[drawn]!, cols(sd, g));
        drawn++;
      }
      expect(means.length).toBe(drawn);
    }
  });

  it("no two labels of any figure overlap, and none leaves the picture", () => {
    const files = readdirSync(join(ws(), "data/figures")).filter((f) => f.endsWith(".svg"));
    expect(files.length).toBeGreaterThanOrEqual(33);
    for (const name of files) {
      const fig = svg(name);
      const width = Number(/<svg [^>]*width="(\d+)"/.exec(fig)![1]);
      // each label's box: 0.6 em per character (sans-serif glyphs average less), from 0.8 em above the baseline to 0.2 below
      const boxes = [...fig.matchAll(/<text ([^>]*)>(.*?)<\/text>/g)].map((m) => {
        const a = (k: string) => new RegExp(`\\b${k}="([^"]+)"`).exec(m[1]!)?.[1];
        const size = Number(a("font-size") ?? 12);
        const text = m[2]!.replace(/<[^>]+>/g, "").replace(/&[a-z]+;/g, "_");
        const w = [...text].length * size * 0.6;
        const x = Number(a("x")),
          y = Number(a("y"));
        const anchor = a("text-anchor") ?? "start";
        const x0 = anchor === "middle" ? x - w / 2 : anchor === "end" ? x - w : x;
        return { text, x0, x1: x0 + w, y0: y - 0.8 * size, y1: y + 0.2 * size };
      });
      for (const b of boxes) {
        expect(b.x0, `${name}: '${b.text}' starts left of the picture`).toBeGreaterThanOrEqual(0);
        expect(b.x1, `${name}: '${b.text}' runs off the picture (${width} px)`).toBeLessThanOrEqual(width);
      }
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i]!,
            b = boxes[j]!;
          const overlap = a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
          expect(overlap, `${name}: '${a.text}' and '${b.text}' overlap`).toBe(false);
        }
    }
  });
});
