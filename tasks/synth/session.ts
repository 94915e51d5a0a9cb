// The in-memory model of one synthetic session: everything the NWB file and the CSVs
// will hold, plus the planted edge cases, so tests can compare what the reader finds
// with what the generator put in.
import { Rng } from "./rng.js";
import { buildTimeline, type Scale, type SessionType } from "./timeline.js";
import type { StimRow } from "./stimuli.js";

export interface Probe {
  id: number;
  name: string;
  phase: "3a" | "PXI";
  samplingRate: number;
  lfpSamplingRate: number;
  hasLfp: boolean;
}
export interface Channel {
  id: number;
  probeId: number;
  probeName: string;
  localIndex: number;
  vertical: number;
  horizontal: number;
  x: number;
  y: number;
  z: number;
  location: string;
  structureId: number | null;
  valid: boolean;
}
export interface Unit {
  id: number;
  probeId: number;
  peakChannelId: number;
  localIndex: number;
  clusterId: number;
  quality: string;
  metrics: Record<string, number>;
  spikes: Float64Array;
  /** why AllenSDK's default filter drops it (undefined: kept) */
  expectDrop?: string;
  structure: string | null;
}
export interface Running {
  start: Float64Array;
  end: Float64Array;
  velocity: Float64Array;
  rotation: Float64Array;
  rawTimes: Float64Array;
  rawDx: Float64Array;
  vsig: Float64Array;
  vin: Float64Array;
}
export interface Eye {
  times: Float64Array;
  fits: Record<"pupil" | "cr" | "eye", Record<"center_x" | "center_y" | "height" | "width" | "phi", Float64Array>>;
  raw: { eyeArea: Float64Array; pupilArea: Float64Array; screen: Float64Array; spherical: Float64Array }; // N×2 as (y, x)
  filtered: { eyeArea: Float64Array; pupilArea: Float64Array; screen: Float64Array; spherical: Float64Array };
}
export interface InvalidTime {
  start: number;
  stop: number;
  tags: [string, string, string];
}

export interface SessionModel {
  id: number;
  type: SessionType;
  scale: Scale;
  seed: number;
  specimen: { id: number; name: string; genotype: string; sex: "M" | "F"; ageDays: number; strain: string };
  startTime: string;
  probes: Probe[];
  channels: Channel[];
  units: Unit[];
  rows: StimRow[];
  end: number;
  invalid: InvalidTime[];
  running: Running;
  eye?: Eye;
  opto: { start: number; duration: number; condition: string; level: number; name: string }[];
  /** spike times planted exactly on bin edges / movie stops: unit id → times */
  edgeSpikes: Map<number, number[]>;
}

const VIS_BY_PROBE: Record<string, string> = { probeA: "VISam", probeB: "VISpm", probeC: "VISp", probeD: "VISl", probeE: "VISal", probeF: "VISrl" };
const DEEP_BY_PROBE: Record<string, [string, string]> = {
  probeA: ["LP", "APN"],
  probeB: ["LP", "MRN"],
  probeC: ["LGd", "SCig"],
  probeD: ["LGd", "LGv"],
  probeE: ["PO", "MB"],
  probeF: ["LP", "grey"],
};
export const STRUCTURE_IDS: Record<string, number> = {
  VISp: 385,
  VISl: 409,
  VISal: 402,
  VISrl: 417,
  VISam: 394,
  VISpm: 533,
  CA1: 382,
  DG: 726,
  LGd: 170,
  LP: 218,
  APN: 215,
  MRN: 128,
  LGv: 178,
  PO: 1020,
  MB: 313,
  SCig: 10,
  grey: 8,
};

function structureAt(probe: string, k: number): string {
  if (k >= 340) return "";
  if (k >= 260) return VIS_BY_PROBE[probe]!;
  if (k >= 220) return "CA1";
  if (k >= 190) return "DG";
  if (k >= 110) return DEEP_BY_PROBE[probe]![0];
  return DEEP_BY_PROBE[probe]![1];
}

export interface SessionSpec {
  id: number;
  type: SessionType;
  scale: Scale;
  seed: number;
  eye: boolean;
  contrast?: boolean;
  invalid?: boolean;
  plant?: boolean;
  /** plant near-threshold durations and a dropped movie frame (one session per type, so the median stays put) */
  durations?: boolean;
}

export function buildSession(spec: SessionSpec): SessionModel {
  const rng = new Rng(spec.seed);
  const full = spec.scale === "full";
  const { rows, end } = buildTimeline(rng, spec.type, spec.scale, !!spec.contrast);
  const sessionEnd = end + (full ? 500 : 20); // optotagging after the last block

  // Probes and channels.
  const nProbes = full ? 6 : 3;
  const names = ["probeA", "probeB", "probeC", "probeD", "probeE", "probeF"].slice(full ? 0 : 2, full ? 6 : 5);
  const probes: Probe[] = [];
  const channels: Channel[] = [];
  let chanId = 849705558 + (spec.id % 1000) * 4000;
  names.slice(0, nProbes).forEach((name, p) => {
    const phase = p % 2 === 0 ? "PXI" : "3a";
    const probe: Probe = {
      id: 810755797 + (spec.id % 1000) * 20 + 2 * p,
      name,
      phase,
      samplingRate: 29999.9 + rng.next() * 0.2,
      lfpSamplingRate: 1249.995 + rng.next() * 0.01,
      hasLfp: true,
    };
    probes.push(probe);
    const invalid = new Set(phase === "PXI" ? [191] : [36, 75, 112, 151, 188, 191, 227, 264, 303, 340]);
    for (let k = 0; k < 384; k++) {
      let location = structureAt(name, k);
      if (name === "probeC" && k === 350) location = "None"; // the other encoding of "no structure"
      channels.push({
        id: chanId,
        probeId: probe.id,
        probeName: name,
        localIndex: k,
        vertical: 20 * (Math.floor(k / 2) + 1),
        horizontal: [43, 11, 59, 27][k % 4]!,
        x: location ? 8000 + rng.int(0, 1000) : NaN,
        y: location ? 3000 + (383 - k) * 10 : NaN,
        z: location ? 6800 + rng.int(0, 200) : NaN,
        location,
        structureId: location && location !== "None" ? (STRUCTURE_IDS[location] ?? null) : null,
        valid: !invalid.has(k),
      });
      chanId += 2;
    }
  });

  // Units.
  const units: Unit[] = [];
  let unitId = 950900000 + (spec.id % 1000) * 3000;
  const perProbe = full ? 260 : 30;
  for (const probe of probes) {
    const chans = channels.filter((c) => c.probeId === probe.id);
    for (let u = 0; u < perProbe; u++) {
      // peak channels mostly in the brain, a few on top channels outside it
      const k = rng.next() < 0.04 ? rng.int(340, 383) : rng.int(0, 339);
      const ch = chans[k]!;
      units.push({
        id: unitId,
        probeId: probe.id,
        peakChannelId: ch.id,
        localIndex: u,
        clusterId: u + rng.int(0, 3) + u * 2,
        quality: rng.next() < (full ? 0.12 : 0.06) ? "noise" : "good",
        metrics: randomMetrics(rng, full),
        spikes: new Float64Array(0),
        structure: ch.valid && ch.location && ch.location !== "None" ? ch.location : null,
      });
      unitId += 1 + rng.int(0, 3);
    }
  }
  if (spec.plant !== false) plantUnits(units, channels, probes);
  for (const u of units) u.expectDrop = expectedDrop(u, channels);

  // Spikes: Poisson trains, lognormal rates.
  for (const u of units) {
    if (u.metrics.__silent) continue;
    const rate = Math.min(60, Math.exp(Math.log(full ? 2.0 : 4.0) + 1.0 * rng.normal()));
    u.metrics.firing_rate = rate;
    u.spikes = poisson(rng, rate, sessionEnd);
  }
  for (const u of units) delete u.metrics.__silent;
  const edgeSpikes = spec.plant !== false ? plantEdgeSpikes(rng, units, rows) : new Map<number, number[]>();

  // Planted presentation durations and invalid times.
  if (spec.durations) plantDurations(rows);
  const invalid: InvalidTime[] = [];
  if (spec.invalid) {
    const gab = rows.filter((r) => r.stimulus_name === "gabors");
    const a = gab[5]!,
      b = gab[6]!;
    invalid.push({ start: (a.start + a.stop) / 2, stop: (b.start + b.stop) / 2, tags: ["EcephysSession", String(spec.id), "stimulus"] });
    const fl = rows.filter((r) => r.stimulus_name === "flashes")[3]!;
    invalid.push({ start: fl.start - 0.1, stop: fl.stop + 0.1, tags: ["EcephysProbe", String(probes[1]!.id), probes[1]!.name] });
  }

  const t0 = rows[0]!.start - 5;
  return {
    id: spec.id,
    type: spec.type,
    scale: spec.scale,
    seed: spec.seed,
    specimen: {
      id: 700000000 + (spec.id % 100000),
      name: `Sst-IRES-Cre;Ai32-${400000 + (spec.id % 10000)}`,
      genotype: spec.id % 2 ? "Sst-IRES-Cre/wt;Ai32(RCL-ChR2(H134R)_EYFP)/wt" : "wt/wt",
      sex: spec.id % 3 ? "M" : "F",
      ageDays: 100 + (spec.id % 30),
      strain: "C57BL/6J",
    },
    startTime: `2019-0${1 + (spec.id % 8)}-1${spec.id % 10}T13:55:01-08:00`,
    probes,
    channels,
    units,
    rows,
    end: sessionEnd,
    invalid,
    running: buildRunning(rng, t0, sessionEnd),
    eye: spec.eye ? buildEye(rng, t0, sessionEnd) : undefined,
    opto: buildOpto(rng, end + 10, full ? 200 : 12),
    edgeSpikes,
  };
}

function randomMetrics(rng: Rng, full: boolean): Record<string, number> {
  const bad = full ? 1 : 0.5; // the example keeps more units so every structure has some
  return {
    amplitude_cutoff: rng.next() < 0.22 * bad ? 0.1 + rng.next() * 0.4 : rng.next() * 0.1,
    presence_ratio: rng.next() < 0.15 * bad ? Math.round((0.5 + rng.next() * 0.44) * 100) / 100 : Math.round((0.95 + rng.next() * 0.05) * 100) / 100,
    isi_violations: rng.next() < 0.12 * bad ? 0.5 + rng.next() * 2 : rng.next() * 0.4,
    snr: 1 + rng.next() * 5,
    isolation_distance: 20 + rng.next() * 80,
    l_ratio: rng.next() * 0.1,
    d_prime: 2 + rng.next() * 5,
    nn_hit_rate: rng.next(),
    nn_miss_rate: rng.next() * 0.05,
    max_drift: rng.next() * 50,
    cumulative_drift: rng.next() * 300,
    silhouette_score: rng.next() < 0.05 ? NaN : rng.next() * 0.3,
    waveform_duration: 0.2 + rng.next() * 0.8,
    waveform_halfwidth: 0.1 + rng.next() * 0.4,
    PT_ratio: 0.2 + rng.next(),
    repolarization_slope: rng.next() * 1e-3,
    recovery_slope: -rng.next() * 1e-4,
    amplitude: 50 + rng.next() * 200,
    spread: 20 + rng.next() * 100,
    velocity_above: rng.next() < 0.3 ? NaN : rng.next(),
    velocity_below: rng.next() < 0.3 ? NaN : -rng.next(),
    firing_rate: 0,
  };
}

/** Units that exercise every branch of AllenSDK's default filter (docs/allen-nwb-layout.md §5.2). */
function plantUnits(units: Unit[], channels: Channel[], probes: Probe[]) {
  const good = (u: Unit) => {
    u.quality = "good";
    Object.assign(u.metrics, { amplitude_cutoff: 0.05, presence_ratio: 0.99, isi_violations: 0.1 });
  };
  const inBrain = channels.filter(
    (c) => c.valid && c.location && c.location !== "None" && c.probeId === probes[0]!.id && c.location.startsWith("VIS"),
  );
  const cases: ((u: Unit) => void)[] = [
    (u) => {
      u.metrics.amplitude_cutoff = 0.1;
    }, // at the threshold: kept
    (u) => {
      u.metrics.amplitude_cutoff = 0.1000001;
    }, // just over: dropped
    (u) => {
      u.metrics.presence_ratio = 0.95;
    }, // at the threshold: kept
    (u) => {
      u.metrics.presence_ratio = 0.94;
    },
    (u) => {
      u.metrics.isi_violations = 0.5;
    }, // at the threshold: kept
    (u) => {
      u.metrics.isi_violations = 0.51;
    },
    (u) => {
      u.metrics.amplitude_cutoff = NaN;
    },
    (u) => {
      u.metrics.presence_ratio = NaN;
    },
    (u) => {
      u.metrics.isi_violations = NaN;
    },
    (u) => {
      u.quality = "noise";
    },
    (u) => {
      u.peakChannelId = channels.find((c) => !c.valid && c.probeId === u.probeId)!.id;
    },
    (u) => {
      u.peakChannelId = channels.find((c) => c.valid && c.location === "" && c.probeId === u.probeId)!.id;
    },
    (u) => {
      const c = channels.find((c) => c.location === "None");
      if (c) u.peakChannelId = c.id;
    },
    (u) => {
      u.metrics.__silent = 1;
    }, // passes QC, never fires
    (u) => {
      u.metrics.__silent = 1;
    },
  ];
  cases.forEach((f, i) => {
    const u = units[i]!;
    u.peakChannelId = inBrain[(i * 7) % inBrain.length]!.id;
    good(u);
    f(u);
    const ch = channels.find((c) => c.id === u.peakChannelId)!;
    u.probeId = ch.probeId;
    u.structure = ch.valid && ch.location && ch.location !== "None" ? ch.location : null;
  });
}

export function expectedDrop(u: Unit, channels: Channel[]): string | undefined {
  const ch = channels.find((c) => c.id === u.peakChannelId)!;
  if (!ch.valid) return "invalid channel";
  if (!ch.location || ch.location === "None") return "out of brain";
  if (u.quality !== "good") return "quality";
  const m = u.metrics;
  if (!(m.amplitude_cutoff! <= 0.1)) return "amplitude_cutoff";
  if (!(m.presence_ratio! >= 0.95)) return "presence_ratio";
  if (!(m.isi_violations! <= 0.5)) return "isi_violations";
  return undefined;
}

function poisson(rng: Rng, rate: number, end: number): Float64Array {
  const n = Math.ceil(rate * end * 1.2 + 20);
  let buf = new Float64Array(n);
  let t = rng.exp(rate),
    i = 0;
  while (t < end) {
    if (i === buf.length) {
      const b = new Float64Array(buf.length * 2);
      b.set(buf);
      buf = b;
    }
    buf[i++] = t;
    t += rng.exp(rate);
  }
  return buf.slice(0, i);
}

/**
 * Spikes exactly on bin edges (start + k·0.02, computed as the binning does), at a
 * movie's stop time, and just after it (inside the unclipped last bin): the cases
 * where inclusive edges and clipping decide the answer.
 */
function plantEdgeSpikes(rng: Rng, units: Unit[], rows: StimRow[]): Map<number, number[]> {
  const planted = new Map<number, number[]>();
  const targets = units.filter((u) => !u.expectDrop && u.spikes.length > 0).slice(0, 6);
  const byName = new Map<string, StimRow[]>();
  for (const r of rows)
    if (r.stimulus_name !== "spontaneous") {
      if (!byName.has(r.stimulus_name)) byName.set(r.stimulus_name, []);
      byName.get(r.stimulus_name)!.push(r);
    }
  for (const [name, rs] of byName) {
    const isMovie = name.startsWith("natural_movie");
    for (const u of targets) {
      const extra: number[] = [];
      if (isMovie) {
        // the last frame of the first repeat: its stop is the movie's stop
        const firstOfNext = rs.findIndex((r, i) => i > 0 && (r.params.frame as number) < (rs[i - 1]!.params.frame as number));
        const last = rs[(firstOfNext > 0 ? firstOfNext : rs.length) - 1]!;
        extra.push(last.stop, last.stop + 0.005, rs[0]!.start, rs[0]!.start + 5 * 0.02);
      } else {
        const r = rs[rng.int(0, Math.min(rs.length - 1, 20))]!;
        const nb = Math.ceil((r.stop - r.start) / 0.02);
        extra.push(r.start + 0 * 0.02, r.start + 1 * 0.02, r.start + rng.int(2, nb - 1) * 0.02, r.start + nb * 0.02);
      }
      const merged = Float64Array.from([...u.spikes, ...extra]).sort();
      u.spikes = merged.filter((t, i) => i === 0 || t !== merged[i - 1]);
      planted.set(u.id, [...(planted.get(u.id) ?? []), ...extra]);
    }
  }
  return planted;
}

/** Durations just inside and just outside the median thresholds, and a dropped frame. */
function plantDurations(rows: StimRow[]) {
  const of = (name: string) => rows.filter((r) => r.stimulus_name === name);
  const gab = of("gabors");
  if (gab.length > 20) {
    gab[10]!.stop = gab[10]!.start + 0.2502 + 0.0009; // kept (< 0.001 off the median)
    gab[12]!.stop = gab[12]!.start + 0.2502 + 0.0011; // dropped
    gab[14]!.stop = gab[14]!.start + 0.2502 - 0.0011; // dropped
  }
  const nm1 = of("natural_movie_one");
  if (nm1.length >= 1800) {
    const i = rows.indexOf(nm1[900 + 450]!); // second repeat loses frame 450
    rows.splice(i, 1);
  }
  const more = of("natural_movie_one_more_repeats");
  if (more.length >= 1800) {
    more[100]!.stop += 0.009; // the whole repeat lasts 9 ms longer: kept
    more[900 + 200]!.stop += 0.0105; // 10.5 ms longer: dropped
  }
}

function buildRunning(rng: Rng, t0: number, end: number): Running {
  const n = Math.floor((end - t0) * 60);
  const frames = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) frames[i] = t0 + i / 60 + (rng.next() - 0.5) * 0.0004;
  const starts: number[] = [],
    ends: number[] = [],
    vel: number[] = [],
    rot: number[] = [];
  const rawDx = new Float64Array(n + 1),
    vsig = new Float64Array(n + 1),
    vin = new Float64Array(n + 1);
  let v = 0;
  for (let i = 0; i < n; i++) {
    v = 0.995 * v + rng.normal() * 1.2 + (rng.next() < 0.001 ? 20 : 0);
    const dt = frames[i + 1]! - frames[i]!;
    const r = (v * dt) / 6.1; // wheel radius ≈ 6.1 cm
    rawDx[i] = (r * 180) / Math.PI;
    vsig[i] = 2.5 + rng.next() * 2;
    vin[i] = 4.9 + rng.next() * 0.2;
    if (rng.next() < 0.05) continue; // intervals with no rotation are dropped
    starts.push(frames[i]!);
    ends.push(frames[i + 1]!);
    vel.push(v);
    rot.push(r);
  }
  return {
    start: Float64Array.from(starts),
    end: Float64Array.from(ends),
    velocity: Float64Array.from(vel),
    rotation: Float64Array.from(rot),
    rawTimes: frames,
    rawDx,
    vsig,
    vin,
  };
}

function buildEye(rng: Rng, t0: number, end: number): Eye {
  const n = Math.floor((end - t0) * 30);
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) times[i] = t0 + i / 30 + rng.next() * 0.002;
  const walk = (mean: number, step: number) => {
    const a = new Float64Array(n);
    let x = mean;
    for (let i = 0; i < n; i++) {
      x += (mean - x) * 0.01 + rng.normal() * step;
      a[i] = x;
    }
    return a;
  };
  const fit = () => ({ center_x: walk(320, 0.5), center_y: walk(240, 0.5), height: walk(40, 0.2), width: walk(45, 0.2), phi: walk(0, 0.01) });
  const pairs = (a: Float64Array, b: Float64Array) => {
    const o = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      o[2 * i] = a[i]!;
      o[2 * i + 1] = b[i]!;
    }
    return o;
  };
  const raw = {
    eyeArea: walk(8000, 20),
    pupilArea: walk(1500, 10),
    screen: pairs(walk(2, 0.05), walk(-1, 0.05)),
    spherical: pairs(walk(3, 0.08), walk(-2, 0.08)),
  };
  const maskNaN = (a: Float64Array, k = 1) => {
    const o = Float64Array.from(a);
    for (let i = 0; i < n; i++) if (i % 97 === 13) for (let j = 0; j < k; j++) o[i * k + j] = NaN;
    return o;
  };
  return {
    times,
    fits: { pupil: fit(), cr: fit(), eye: fit() },
    raw,
    filtered: {
      eyeArea: maskNaN(raw.eyeArea),
      pupilArea: maskNaN(raw.pupilArea),
      screen: maskNaN(raw.screen, 2),
      spherical: maskNaN(raw.spherical, 2),
    },
  };
}

function buildOpto(rng: Rng, t: number, n: number) {
  const kinds = [
    { condition: "2.5 ms pulses at 10 Hz", name: "fast_pulses", duration: 1.0 },
    { condition: "a single square pulse", name: "pulse", duration: 0.005 },
    { condition: "a single square pulse", name: "pulse", duration: 0.01 },
    { condition: "half-period of a cosine wave", name: "raised_cosine", duration: 1.0 },
  ];
  const out = [];
  for (let i = 0; i < n; i++) {
    const k = rng.pick(kinds);
    out.push({ start: t, duration: k.duration, condition: k.condition, level: rng.pick([1.0, 2.5, 4.0]), name: k.name });
    t += 1.5 + rng.next() * 0.5;
  }
  return out;
}
