// Presentation clean-up over all sessions (docs/design.md §4.2–4.4): whole-movie merge, the
// median-duration filter, and blank/invalid removal.
import type { Cell } from "../formats/nwb/read-presentations.js";
import type { PresentationSummary, Row } from "../formats/intermediates.js";

export type { Row };

export const isMovie = (name: string) => name.startsWith("natural_movie");

/**
 * Natural movies are one row per frame: each run of frames (a new movie starts where
 * the frame number decreases, within one session and stimulus name) becomes one row —
 * id, block and params of the first frame, start = min start, stop = max stop,
 * duration = the sum of frame durations (a dropped frame shows up as a short movie).
 */
export function mergeWholeMovies(rows: Row[]): Row[] {
  const out: Row[] = [];
  const open = new Map<string, { row: Row; lastFrame: number }>();
  for (const r of rows) {
    if (!isMovie(r.stimulus_name)) {
      out.push(r);
      continue;
    }
    const key = `${r.session}\u0000${r.stimulus_name}`;
    const frame = Number(r.params.frame);
    const cur = open.get(key);
    if (cur && frame >= cur.lastFrame) {
      const m = cur.row;
      m.start_time = Math.min(m.start_time, r.start_time);
      m.stop_time = Math.max(m.stop_time, r.stop_time);
      m.duration += r.duration;
      cur.lastFrame = frame;
    } else {
      const m: Row = { ...r, params: { ...r.params } };
      out.push(m);
      open.set(key, { row: m, lastFrame: frame });
    }
  }
  return out;
}

/** numpy.median: the middle value, or the mean of the middle two. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

export interface MedianResult {
  kept: Row[];
  medians: Map<string, number>;
  summary: { stimulus_name: string; before: number; after: number; removed: number; percent: number }[];
}

/** The median duration per stimulus name, in order of first appearance. */
export function medianDurations(byName: Map<string, number[]>): Map<string, number> {
  return new Map([...byName].map(([n, ds]) => [n, median(ds)]));
}

/** Whether a row is kept: |duration − median of its stimulus name| < the threshold. */
export function keptByMedian(r: Row, medians: Map<string, number>, thresholdMovie: number, thresholdOther: number): boolean {
  return keptDuration(r.stimulus_name, r.duration, medians, thresholdMovie, thresholdOther);
}
/** keptByMedian for a name and a duration (all the filter looks at). */
export function keptDuration(name: string, duration: number, medians: Map<string, number>, thresholdMovie: number, thresholdOther: number): boolean {
  const th = isMovie(name) ? thresholdMovie : thresholdOther;
  return Math.abs(duration - medians.get(name)!) < th;
}

/** Before/after counts per stimulus name (the filtered_summary table). */
export function filterSummary(before: Map<string, number>, after: Map<string, number>): MedianResult["summary"] {
  return [...before].map(([name, n]) => {
    const a = after.get(name) ?? 0;
    const removed = n - a;
    return { stimulus_name: name, before: n, after: a, removed, percent: Math.round((removed / n) * 100 * 100) / 100 };
  });
}

/** Keeps |duration − median| < threshold, per stimulus name over all sessions. */
export function medianFilter(rows: Row[], thresholdMovie: number, thresholdOther: number): MedianResult {
  const byName = new Map<string, number[]>();
  for (const r of rows) {
    if (!byName.has(r.stimulus_name)) byName.set(r.stimulus_name, []);
    byName.get(r.stimulus_name)!.push(r.duration);
  }
  const medians = medianDurations(byName);
  const kept = rows.filter((r) => keptByMedian(r, medians, thresholdMovie, thresholdOther));
  const after = new Map<string, number>();
  for (const r of kept) after.set(r.stimulus_name, (after.get(r.stimulus_name) ?? 0) + 1);
  const summary = filterSummary(new Map([...byName].map(([n, ds]) => [n, ds.length])), after);
  return { kept, medians, summary };
}

export const isMissing = (v: Cell | undefined) =>
  v === null || v === undefined || v === "" || v === "null" || v === "N/A" || (typeof v === "number" && Number.isNaN(v));

/**
 * Drops blank trials: a presentation whose relevant parameters include a missing value
 * (gratings' and dot motion's blank sweeps), and natural_scenes frame −1.
 */
export function removeBlanks(rows: Row[], relevant: (name: string) => string[] | undefined): Row[] {
  return rows.filter((r) => {
    const params = relevant(r.stimulus_name);
    if (!params) return true;
    if (params.some((p) => isMissing(r.params[p]))) return false;
    if (r.stimulus_name === "natural_scenes" && Number(r.params.frame) === -1) return false;
    return true;
  });
}

/** What the `medians` node needs of one session (formats/intermediates.ts: PresentationSummary). */
export function presentationSummary(session: number, rows: Row[]): PresentationSummary {
  const params = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r.params)) params.add(k);
  const wholeParams = new Set<string>();
  const durations = new Map<string, number[]>();
  for (const r of mergeWholeMovies(rows)) {
    for (const k of Object.keys(r.params)) wholeParams.add(k);
    let ds = durations.get(r.stimulus_name);
    if (!ds) durations.set(r.stimulus_name, (ds = []));
    ds.push(r.duration);
  }
  return { session, params: [...params].sort(), whole_params: [...wholeParams].sort(), durations: [...durations] };
}
