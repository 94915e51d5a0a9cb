// Stimulus blocks of the two Allen session types, as the layout document describes
// them (docs/allen-nwb-layout.md §3.5, §6.2, §6.3, §9): names, parameter columns and their HDF5 types,
// durations, repeat counts, blanks. `reps` scales them down for the example.
import type { Rng } from "./rng.js";

/** Parameter columns whose source-CSV type is float (NaN = missing). */
export const FLOAT_COLUMNS = new Set([
  "orientation",
  "temporal_frequency",
  "contrast",
  "x_position",
  "y_position",
  "frame",
  "opacity",
  "Speed",
  "Dir",
  "coherence",
  "dotLife",
  "dotSize",
  "nDots",
]);
/** Parameter columns whose source-CSV type is string ("N/A" = missing in the NWB). */
export const STRING_COLUMNS = new Set(["spatial_frequency", "phase", "size", "color", "mask", "units", "fieldPos", "fieldShape", "fieldSize"]);

export type ParamCell = number | string; // NaN for a missing float; null-string handled by the writer
export interface StimRow {
  stimulus_name: string;
  start: number;
  stop: number;
  block?: number;
  index?: number;
  params: Record<string, ParamCell>;
}

export const FRAME_MOVIE_ONE = 30.0251 / 900;
export const FRAME_MOVIE_THREE = 120.1003 / 3600;

export interface BlockCtx {
  rng: Rng;
  t: number;
  block: number;
  index: number;
}

type Gen = (c: BlockCtx, n: number) => { rows: StimRow[]; end: number };

/** Presentations one after another: duration d, start-to-start ss. */
function sequence(name: string, c: BlockCtx, conds: Record<string, ParamCell>[], d: number, ss: number): { rows: StimRow[]; end: number } {
  const rows: StimRow[] = [];
  let t = c.t;
  for (const p of conds) {
    rows.push({ stimulus_name: name, start: t, stop: t + d, block: c.block, index: c.index, params: p });
    t += ss;
  }
  return { rows, end: rows.length ? rows[rows.length - 1]!.stop : c.t };
}

function repeatShuffled<T>(rng: Rng, conds: T[], reps: number): T[] {
  const out: T[] = [];
  for (let r = 0; r < reps; r++) out.push(...rng.shuffle([...conds]));
  return out;
}

const NaNs = (...cols: string[]) => Object.fromEntries(cols.map((c) => [c, STRING_COLUMNS.has(c) ? "N/A" : NaN]));

export const generators: Record<string, Gen> = {
  gabors(c, reps) {
    const conds: Record<string, ParamCell>[] = [];
    const pos = reps >= 15 ? [-40, -30, -20, -10, 0, 10, 20, 30, 40] : [-40, 0, 40];
    for (const o of [0, 45, 90])
      for (const x of pos)
        for (const y of pos) {
          conds.push({
            orientation: o,
            x_position: x,
            y_position: y,
            temporal_frequency: 4.0,
            contrast: 0.8,
            spatial_frequency: "0.08",
            phase: "[3644.93333333, 3644.93333333]",
            size: "[20.0, 20.0]",
            color: "[1.0, 1.0, 1.0]",
            mask: "circle",
            units: "deg",
          });
        }
    return sequence("gabors", c, repeatShuffled(c.rng, conds, reps), 0.2502, 0.2502);
  },
  flashes(c, n) {
    const conds = Array.from({ length: n }, () => ({
      color: c.rng.next() < 0.5 ? "-1.0" : "1.0",
      contrast: 0.8,
      orientation: 0,
      size: "[300.0, 300.0]",
      units: "deg",
    }));
    return sequence("flashes", c, conds, 0.2502, 2.0);
  },
  drifting_gratings(c, reps) {
    const conds: Record<string, ParamCell>[] = [];
    for (const o of [0, 45, 90, 135, 180, 225, 270, 315])
      for (const tf of [1, 2, 4, 8, 15]) {
        conds.push({
          orientation: o,
          temporal_frequency: tf,
          contrast: 0.8,
          spatial_frequency: "0.04",
          phase: "[42471.86666667, 42471.86666667]",
          size: "[250.0, 250.0]",
          units: "deg",
        });
      }
    const blank = {
      ...NaNs("orientation", "temporal_frequency", "contrast", "spatial_frequency"),
      phase: "[42471.86666667, 42471.86666667]",
      size: "[250.0, 250.0]",
      units: "deg",
    };
    const all = repeatShuffled(c.rng, conds, reps);
    for (let i = 0; i < Math.max(2, reps * 2); i++) all.splice(c.rng.int(0, all.length), 0, { ...blank });
    return sequence("drifting_gratings", c, all, 2.0017, 3.0);
  },
  static_gratings(c, reps) {
    const conds: Record<string, ParamCell>[] = [];
    for (const o of [0, 30, 60, 90, 120, 150])
      for (const sf of ["0.02", "0.04", "0.08", "0.16", "0.32"])
        for (const ph of ["0.0", "0.25", "0.5", "0.75"]) {
          conds.push({ orientation: o, spatial_frequency: sf, phase: ph, contrast: 0.8, size: "[250.0, 250.0]", units: "deg" });
        }
    const all = repeatShuffled(c.rng, conds, reps);
    for (let i = 0; i < Math.max(3, Math.round(all.length / 25)); i++) {
      all.splice(c.rng.int(0, all.length), 0, {
        ...NaNs("orientation", "spatial_frequency", "phase", "contrast"),
        size: "[250.0, 250.0]",
        units: "deg",
      });
    }
    return sequence("static_gratings", c, all, 0.2502, 0.2502);
  },
  natural_scenes(c, reps) {
    const conds: Record<string, ParamCell>[] = Array.from({ length: 118 }, (_, i) => ({ frame: i }));
    const all = repeatShuffled(c.rng, conds, reps);
    for (let i = 0; i < Math.max(3, reps); i++) all.splice(c.rng.int(0, all.length), 0, { frame: -1 });
    return sequence("natural_scenes", c, all, 0.2502, 0.2502);
  },
  drifting_gratings_contrast(c, reps) {
    const conds: Record<string, ParamCell>[] = [];
    for (const k of [0.01, 0.02, 0.04, 0.08, 0.13, 0.2, 0.35, 0.6, 1.0])
      for (const o of [0, 45, 90, 135]) {
        conds.push({
          contrast: k,
          orientation: o,
          temporal_frequency: 2.0,
          spatial_frequency: "0.04",
          phase: "[0.0, 0.0]",
          size: "[250.0, 250.0]",
          units: "deg",
        });
      }
    return sequence("drifting_gratings_contrast", c, repeatShuffled(c.rng, conds, reps), 0.5004, 1.0);
  },
  drifting_gratings_75_repeats(c, reps) {
    const conds: Record<string, ParamCell>[] = [];
    for (const k of [0.1, 0.8])
      for (const o of [0, 45, 90, 135]) {
        conds.push({
          contrast: k,
          orientation: o,
          temporal_frequency: 2.0,
          spatial_frequency: "0.04",
          phase: "[0.0, 0.0]",
          size: "[250.0, 250.0]",
          units: "deg",
        });
      }
    const all = repeatShuffled(c.rng, conds, reps);
    for (let i = 0; i < 2; i++)
      all.splice(c.rng.int(0, all.length), 0, {
        ...NaNs("contrast", "orientation", "temporal_frequency", "spatial_frequency"),
        phase: "[0.0, 0.0]",
        size: "[250.0, 250.0]",
        units: "deg",
      });
    return sequence("drifting_gratings_75_repeats", c, all, 2.0017, 3.0);
  },
  dot_motion(c, reps) {
    const conds: Record<string, ParamCell>[] = [];
    for (const s of [0.0, 0.0005, 0.001, 0.005, 0.01, 0.02, 0.04])
      for (const d of [-45, 0, 45, 90]) {
        conds.push({
          Speed: s,
          Dir: d,
          coherence: 0.9,
          contrast: 1.0,
          dotLife: 5,
          dotSize: 1.5,
          nDots: 100,
          fieldPos: "[0.0, 0.0]",
          fieldShape: "circle",
          fieldSize: "[120.0, 120.0]",
          units: "deg",
        });
      }
    const all = repeatShuffled(c.rng, conds, reps);
    for (let i = 0; i < Math.max(3, reps / 3); i++)
      all.splice(c.rng.int(0, all.length), 0, {
        ...NaNs("Speed", "Dir"),
        coherence: 0.9,
        contrast: 1.0,
        dotLife: 5,
        dotSize: 1.5,
        nDots: 100,
        fieldPos: "[0.0, 0.0]",
        fieldShape: "circle",
        fieldSize: "[120.0, 120.0]",
        units: "deg",
      });
    return sequence("dot_motion", c, all, 1.0008, 1.0508);
  },
};

/** Movie repeats, one row per frame, frames back to back. */
export function movie(
  name: string,
  c: BlockCtx,
  repeats: number,
  nFrames: number,
  frameDur: number,
  shuffled = false,
): { rows: StimRow[]; end: number } {
  const rows: StimRow[] = [];
  let t = c.t;
  const order = Array.from({ length: nFrames }, (_, i) => i);
  for (let r = 0; r < repeats; r++) {
    const frames = shuffled ? c.rng.shuffle([...order]) : order;
    for (const f of frames) {
      const p: Record<string, ParamCell> = { frame: f };
      if (!name.includes("more_repeats") && !shuffled) {
        p.contrast = 1.0;
        p.size = "[1920.0, 1080.0]";
        p.units = "deg";
      }
      rows.push({ stimulus_name: name, start: t, stop: t + frameDur, block: c.block, index: c.index, params: p });
      t += frameDur;
    }
  }
  return { rows, end: t };
}
