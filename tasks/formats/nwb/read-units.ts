// Units as AllenSDK's session.units gives them (docs/allen-nwb-layout.md §5.2): the default filter
// (valid channel, in-brain location, quality "good", amplitude_cutoff ≤ 0.1,
// presence_ratio ≥ 0.95, isi_violations ≤ 0.5, NaN fails), the structure acronym of the
// peak channel, and the order (probe name, vertical, horizontal position; stable).
import { keptPerFile } from "../file-identity.js";
import type { Nwb } from "./open.js";
import { TaskError } from "#flow/task";

export interface QcThresholds {
  amplitude_cutoff_maximum: number;
  presence_ratio_minimum: number;
  isi_violations_maximum: number;
}

export const DEFAULT_QC: QcThresholds = { amplitude_cutoff_maximum: 0.1, presence_ratio_minimum: 0.95, isi_violations_maximum: 0.5 };

export interface UnitInfo {
  unit_id: number;
  /** row in /units: spikes are spike_times[ends[row-1] : ends[row]] */
  row: number;
  probe: string;
  peak_channel_id: number;
  structure: string | null;
  vertical: number;
  horizontal: number;
  n_spikes: number;
  kept: boolean;
  /** why the default filter dropped it */
  reason?: string;
}

export interface Channels {
  id: Float64Array;
  location: string[];
  valid: Int8Array;
  probe: string[];
  vertical: Float64Array;
  horizontal: Float64Array;
}

export function readChannels(nwb: Nwb): Channels {
  const base = "/general/extracellular_ephys/electrodes";
  const validRaw = nwb.dataset(`${base}/valid_data`).value;
  const valid = validRaw instanceof Int8Array ? validRaw : Int8Array.from(validRaw as ArrayLike<number>);
  return {
    id: nwb.numbers(`${base}/id`),
    location: nwb.strings(`${base}/location`),
    valid,
    probe: nwb.strings(`${base}/group_name`),
    vertical: nwb.numbers(`${base}/probe_vertical_position`),
    horizontal: nwb.numbers(`${base}/probe_horizontal_position`),
  };
}

export function readUnits(nwb: Nwb, qc: QcThresholds = DEFAULT_QC): UnitInfo[] {
  const ids = nwb.numbers("/units/id");
  const peak = nwb.numbers("/units/peak_channel_id");
  const quality = nwb.strings("/units/quality");
  const ac = nwb.numbers("/units/amplitude_cutoff");
  const pr = nwb.numbers("/units/presence_ratio");
  const isi = nwb.numbers("/units/isi_violations");
  const ends = nwb.numbers("/units/spike_times_index");
  if (ends.length !== ids.length) throw new TaskError(`${nwb.path}: /units/spike_times_index has ${ends.length} rows, /units/id ${ids.length}`);
  const ch = readChannels(nwb);
  const chanRow = new Map<number, number>();
  ch.id.forEach((id, i) => chanRow.set(id, i));
  const units: UnitInfo[] = [];
  for (let i = 0; i < ids.length; i++) {
    const c = chanRow.get(peak[i]!);
    const loc = c === undefined ? "" : ch.location[c]!;
    const structure = loc === "" || loc === "None" ? null : loc;
    const u: UnitInfo = {
      unit_id: ids[i]!,
      row: i,
      probe: c === undefined ? "" : ch.probe[c]!,
      peak_channel_id: peak[i]!,
      structure,
      vertical: c === undefined ? NaN : ch.vertical[c]!,
      horizontal: c === undefined ? NaN : ch.horizontal[c]!,
      n_spikes: ends[i]! - (i === 0 ? 0 : ends[i - 1]!),
      kept: false,
    };
    // Same order of tests as AllenSDK's filter; NaN fails every comparison.
    if (c === undefined) u.reason = "peak channel not in electrodes table";
    else if (ch.valid[c] !== 1) u.reason = "invalid channel";
    else if (structure === null) u.reason = "out of brain";
    else if (quality[i] !== "good") u.reason = `quality ${quality[i]}`;
    else if (!(ac[i]! <= qc.amplitude_cutoff_maximum)) u.reason = `amplitude_cutoff ${ac[i]}`;
    else if (!(pr[i]! >= qc.presence_ratio_minimum)) u.reason = `presence_ratio ${pr[i]}`;
    else if (!(isi[i]! <= qc.isi_violations_maximum)) u.reason = `isi_violations ${isi[i]}`;
    else u.kept = true;
    units.push(u);
  }
  // AllenSDK orders session.units by probe, then position on the probe; pandas'
  // multi-column sort is stable, so ties keep file order.
  return units
    .map((u, i) => [u, i] as const)
    .sort(([a, i], [b, j]) => (a.probe < b.probe ? -1 : a.probe > b.probe ? 1 : 0) || a.vertical - b.vertical || a.horizontal - b.horizontal || i - j)
    .map(([u]) => u);
}

/**
 * Streams spike times of the given /units rows, reading contiguous runs of rows with
 * one slice() each (never the whole spike_times at once). `fn` gets a view into the
 * run's own buffer (a fresh array per run: keeping the view keeps that buffer).
 */
export function forEachUnitSpikes(
  nwb: Nwb,
  rows: number[],
  fn: (row: number, spikes: Float64Array) => void,
  maxValues = 4_000_000,
  maxGap = 200_000,
) {
  const ends = nwb.numbers("/units/spike_times_index");
  const ds = nwb.dataset("/units/spike_times");
  const sorted = [...rows].sort((a, b) => a - b);
  let i = 0;
  while (i < sorted.length) {
    const first = sorted[i]!;
    const lo = first === 0 ? 0 : ends[first - 1]!;
    let j = i;
    // extend the batch while the span stays bounded and the rows skipped in between
    // (units not asked for) cost less to read than another slice() call
    while (
      j + 1 < sorted.length &&
      ends[sorted[j + 1]!]! - lo <= maxValues &&
      (sorted[j + 1]! === 0 ? 0 : ends[sorted[j + 1]! - 1]!) - ends[sorted[j]!]! <= maxGap
    )
      j++;
    const hi = ends[sorted[j]!]!;
    const buf = hi > lo ? (ds.slice([[lo, hi]]) as Float64Array) : new Float64Array(0);
    for (let k = i; k <= j; k++) {
      const r = sorted[k]!;
      const a = (r === 0 ? 0 : ends[r - 1]!) - lo,
        b = ends[r]! - lo;
      fn(r, buf.subarray(a, b));
    }
    i = j + 1;
  }
}

/**
 * The spike times of one session's units, kept by the worker for its next node: the ten
 * bin nodes of a session would each read every spike time again (most of a bin node's
 * time), and the scheduler hands a worker the bins of one session one after
 * another. One session at a time is kept (~0.25 GB at full size), known by the content
 * hash the engine computed for the file (Nwb.identity): other bytes are read again,
 * whatever their path and stat.
 */
export function unitSpikes(nwb: Nwb, rows: number[]): Map<number, Float64Array> {
  const units = keptPerFile("unit spikes", nwb.identity, () => new Map<number, Float64Array>());
  const missing = rows.filter((r) => !units.has(r));
  if (missing.length) forEachUnitSpikes(nwb, missing, (row, s) => units.set(row, s));
  return units;
}
