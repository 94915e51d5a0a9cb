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

type Column = (number | string)[] | Float64Array; // NaN = missing float, "" = "N/A"

interface Table {
  columns: Map<string, Column>;
  n: number;
  /** the params a row of this table carries in the output, in order: its own columns (file order), then the rest of the union, sorted */
  keys: string[];
}

const missing = (v: unknown) => v === undefined || v === "" || (typeof v === "number" && Number.isNaN(v));
const isTriplet = (c: unknown): c is string => typeof c === "string" && /^\s*\[.*\]\s*$/.test(c);

/** A param's value as AllenSDK leaves it: missing → null; colour text → number where it is one. */
function paramValue(t: Table, name: string, i: number): Cell {
  const v = t.columns.get(name)?.[i];
  if (name === "color" && typeof v === "string" && v !== "" && !isTriplet(v)) {
    const x = Number(v);
    return Number.isFinite(x) ? x : v;
  }
  if (name === "color" && isTriplet(v)) return null; // moved to color_triplet
  if (name === "color_triplet" && isTriplet(t.columns.get("color")?.[i])) return t.columns.get("color")![i] as string;
  return missing(v) ? null : (v as Cell);
}

// Column-wise: 70 000 rows × 25 columns as row objects (then deleting the detailed
// columns from each) cost seconds of allocation and garbage collection per session.
export function readPresentations(nwb: Nwb): Presentation[] {
  const iv = nwb.group("/intervals");
  if (!iv.keys().some((k) => k.endsWith("_presentations"))) {
    throw new TaskError(`${nwb.path}: no stimulus tables: /intervals has no *_presentations group`);
  }
  const tables: Table[] = [];
  for (const name of iv.keys().sort()) {
    if (!name.endsWith("_presentations")) continue;
    const g = nwb.group(`/intervals/${name}`);
    const columns = new Map<string, Column>();
    let n = -1;
    for (const c of g.keys()) {
      if (SKIP.has(c)) continue;
      const ds = g.get(c) as H5Dataset | null;
      if (!ds || !("slice" in ds)) continue;
      const v = ds.value;
      let col: Column;
      if (Array.isArray(v) && (v.length === 0 || typeof v[0] === "string")) col = (v as string[]).map((s) => (s === "N/A" ? "" : s));
      else col = toFloat64(v, `${nwb.path}:/intervals/${name}/${c}`);
      columns.set(c, col);
      n = col.length;
    }
    if (n > 0) tables.push({ columns, n, keys: [] });
  }
  // Every row has every param of the union (null where its table lacks it); an RGB
  // colour moves to color_triplet. The condition id is over the whole union.
  const own = (t: Table) => [...t.columns.keys()].filter((k) => !BASE.has(k));
  const union = new Set<string>();
  for (const t of tables) {
    for (const k of own(t)) union.add(k);
    const color = t.columns.get("color");
    if (color && Array.prototype.some.call(color, isTriplet)) union.add("color_triplet");
  }
  const cols = [...union].sort();
  for (const t of tables) {
    const mine = own(t);
    const mineSet = new Set(mine);
    t.keys = [...mine, ...cols.filter((c) => !mineSet.has(c))].filter((k) => !DETAILED_COLUMNS.has(k));
  }

  // stable sort on start time (ties keep concatenation order)
  const at: [Table, number][] = [];
  for (const t of tables) for (let i = 0; i < t.n; i++) at.push([t, i]);
  const starts = at.map(([t, i]) => Number(t.columns.get("start_time")?.[i]));
  const order = at.map((_, k) => k).sort((a, b) => starts[a]! - starts[b]! || a - b);

  const conditions = new Map<string, number>();
  const out: Presentation[] = order.map((k, id) => {
    const [t, i] = at[k]!;
    const name = String(t.columns.get("stimulus_name")?.[i]);
    const params: Record<string, Cell> = {};
    for (const c of t.keys) params[c] = paramValue(t, c, i);
    const key = canonical([name, ...cols.map((c) => paramValue(t, c, i))]);
    let cid = conditions.get(key);
    if (cid === undefined) conditions.set(key, (cid = conditions.size));
    const block = t.columns.get("stimulus_block")?.[i];
    const start = Number(t.columns.get("start_time")?.[i]);
    const stop = Number(t.columns.get("stop_time")?.[i]);
    return {
      stimulus_presentation_id: id,
      stimulus_name: name,
      stimulus_block: missing(block) ? null : Number(block),
      start_time: start,
      stop_time: stop,
      duration: stop - start,
      stimulus_condition_id: cid,
      params,
    };
  });
  markInvalid(nwb, out);
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
