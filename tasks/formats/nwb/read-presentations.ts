// stimulus_presentations as AllenSDK builds it from the NWB (docs/allen-nwb-layout.md §5.1): every
// *_presentations table, concatenated, stably sorted by start time, numbered; "N/A",
// "" and NaN become "null" (here: null); colour parsing; condition ids; presentations
// overlapping an invalid_times interval tagged "stimulus" become invalid_presentation.
import type { Nwb } from "./open.js";
import { toFloat64 } from "./open.js";
import type { H5Dataset } from "../h5.js";
import { canonical } from "#flow/task";
import { TaskError } from "#flow/task";

/** A parameter value: a number, a string (AllenSDK leaves phase, size, … as text), or null ("null"). */
export type Cell = number | string | null;

export interface Presentation {
  stimulus_presentation_id: number;
  stimulus_name: string;
  stimulus_block: number | null;
  start_time: number;
  stop_time: number;
  duration: number;
  stimulus_condition_id: number | null;
  params: Record<string, Cell>;
}

const SKIP = new Set(["id", "tags", "tags_index", "timeseries", "timeseries_index"]);
const BASE = new Set(["start_time", "stop_time", "stimulus_name", "stimulus_block", "stimulus_index"]);
/** Columns the public stimulus_presentations table drops (docs/allen-nwb-layout.md §5.1 step 11). */
export const DETAILED_COLUMNS = new Set([
  "colorSpace",
  "flipHoriz",
  "flipVert",
  "depth",
  "interpolate",
  "mask",
  "opacity",
  "rgbPedestal",
  "tex",
  "texRes",
  "units",
  "rgb",
  "signalDots",
  "noiseDots",
  "fieldSize",
  "fieldShape",
  "fieldPos",
  "nDots",
  "dotSize",
  "dotLife",
  "color_triplet",
]);

type Raw = Record<string, number | string>; // NaN = missing float, "" = "N/A"

export function readPresentations(nwb: Nwb): Presentation[] {
  const iv = nwb.group("/intervals");
  if (!iv.keys().some((k) => k.endsWith("_presentations"))) {
    throw new TaskError(`${nwb.path}: no stimulus tables: /intervals has no *_presentations group`);
  }
  const raw: Raw[] = [];
  for (const name of iv.keys().sort()) {
    if (!name.endsWith("_presentations")) continue;
    const g = nwb.group(`/intervals/${name}`);
    const cols: Record<string, (number | string)[] | Float64Array> = {};
    let n = -1;
    for (const c of g.keys()) {
      if (SKIP.has(c)) continue;
      const ds = g.get(c) as H5Dataset | null;
      if (!ds || !("slice" in ds)) continue;
      const v = ds.value;
      let col: (number | string)[] | Float64Array;
      if (Array.isArray(v) && (v.length === 0 || typeof v[0] === "string")) col = (v as string[]).map((s) => (s === "N/A" ? "" : s));
      else col = toFloat64(v, `${nwb.path}:/intervals/${name}/${c}`);
      cols[c] = col;
      n = col.length;
    }
    for (let i = 0; i < n; i++) {
      const r: Raw = {};
      for (const [c, col] of Object.entries(cols)) r[c] = col[i]!;
      raw.push(r);
    }
  }
  // stable sort on start_time (ties keep concatenation order)
  const order = raw.map((r, i) => [Number(r.start_time), i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const missing = (v: unknown) => v === undefined || v === "" || (typeof v === "number" && Number.isNaN(v));
  const out: Presentation[] = order.map(([, i], id) => {
    const r = raw[i]!;
    const params: Record<string, Cell> = {};
    for (const [k, v] of Object.entries(r)) {
      if (BASE.has(k)) continue;
      params[k] = missing(v) ? null : v;
    }
    // colour: RGB triplets move to color_triplet; other values are Python literals → float
    if ("color" in r) {
      const c = r.color;
      if (typeof c === "string" && /^\s*\[.*\]\s*$/.test(c)) {
        params.color_triplet = c;
        params.color = null;
      } else if (typeof c === "string" && c !== "") {
        const x = Number(c);
        params.color = Number.isFinite(x) ? x : c;
      }
    }
    const block = r.stimulus_block;
    return {
      stimulus_presentation_id: id,
      stimulus_name: String(r.stimulus_name),
      stimulus_block: missing(block) ? null : Number(block),
      start_time: Number(r.start_time),
      stop_time: Number(r.stop_time),
      duration: Number(r.stop_time) - Number(r.start_time),
      stimulus_condition_id: null,
      params,
    };
  });
  // Every presentation row has every column of the union (null where a table lacks it).
  const allCols = new Set<string>();
  for (const p of out) for (const k of Object.keys(p.params)) allCols.add(k);
  const cols = [...allCols].sort();
  const conditions = new Map<string, number>();
  for (const p of out) {
    for (const c of cols) if (!(c in p.params)) p.params[c] = null;
    const key = canonical([p.stimulus_name, ...cols.map((c) => p.params[c])]);
    let cid = conditions.get(key);
    if (cid === undefined) conditions.set(key, (cid = conditions.size));
    p.stimulus_condition_id = cid;
  }
  markInvalid(nwb, out);
  for (const p of out) for (const c of DETAILED_COLUMNS) delete p.params[c];
  return out;
}

/** invalid_times rows tagged "stimulus" invalidate every presentation they overlap (closed intervals). */
function markInvalid(nwb: Nwb, ps: Presentation[]) {
  if (!nwb.has("/intervals/invalid_times")) return;
  const starts = nwb.numbers("/intervals/invalid_times/start_time");
  const stops = nwb.numbers("/intervals/invalid_times/stop_time");
  const tags = nwb.strings("/intervals/invalid_times/tags");
  const ends = nwb.numbers("/intervals/invalid_times/tags_index");
  for (let i = 0; i < starts.length; i++) {
    const t = tags.slice(i === 0 ? 0 : ends[i - 1]!, ends[i]!);
    if (!t.includes("stimulus")) continue;
    for (const p of ps) {
      if (Math.max(p.start_time, starts[i]!) <= Math.min(p.stop_time, stops[i]!)) {
        p.stimulus_name = "invalid_presentation";
        p.stimulus_block = null;
        p.duration = NaN;
        p.stimulus_condition_id = null;
        for (const k of Object.keys(p.params)) p.params[k] = NaN;
      }
    }
  }
}
