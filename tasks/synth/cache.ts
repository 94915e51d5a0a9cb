// Writes a whole synthetic EcephysProjectCache directory (docs/allen-nwb-layout.md §1): manifest.json,
// sessions/probes/channels/units CSVs with consistent ids, and one NWB per session.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildSession, type SessionModel, type SessionSpec } from "./session.js";
import { writeSessionNwb } from "./write-nwb.js";
import { toCsv, type Cell } from "../formats/pyfmt.js";

export type CacheScale = "example" | "full" | "many" | "dataset";

/**
 * example: 2 brain_observatory_1.1 + 2 functional_connectivity sessions with short
 *          blocks of every stimulus; session 719161530 has no eye tracking.
 * full:    one brain_observatory_1.1 session of real size (benchmarks).
 * many:    N example-size sessions of both types (the 58-session no-op benchmark).
 * dataset: N full-size sessions, the two types in turn, each its own seed (the
 *          whole-dataset benchmark, bench/dataset.ts).
 */
export function cacheSpecs(scale: CacheScale, seed = 1, n = 58): SessionSpec[] {
  if (scale === "full") {
    return [{ id: 715093703, type: "brain_observatory_1.1", scale: "full", seed, eye: true, contrast: true, invalid: true, durations: true }];
  }
  if (scale === "dataset") {
    return Array.from({ length: n }, (_, i) => ({
      id: 715093703 + i * 1117,
      type: i % 2 === 0 ? ("brain_observatory_1.1" as const) : ("functional_connectivity" as const),
      scale: "full" as const,
      seed: seed * 1000 + 500 + i,
      eye: true,
      contrast: i % 4 === 0,
      invalid: i % 3 === 0,
      durations: true,
    }));
  }
  if (scale === "example") {
    return [
      {
        id: 715093703,
        type: "brain_observatory_1.1",
        scale: "example",
        seed: seed * 1000 + 1,
        eye: true,
        contrast: true,
        invalid: true,
        durations: true,
      },
      { id: 719161530, type: "brain_observatory_1.1", scale: "example", seed: seed * 1000 + 2, eye: false },
      { id: 766640955, type: "functional_connectivity", scale: "example", seed: seed * 1000 + 3, eye: true, durations: true },
      { id: 767871931, type: "functional_connectivity", scale: "example", seed: seed * 1000 + 4, eye: true },
    ];
  }
  return Array.from({ length: n }, (_, i) => ({
    id: 715093703 + i * 1117,
    type: i % 58 < 32 ? ("brain_observatory_1.1" as const) : ("functional_connectivity" as const),
    scale: "example" as const,
    seed: seed * 1000 + 100 + i,
    eye: i % 7 !== 3,
  }));
}

export const MANIFEST = {
  manifest: [
    { type: "manifest_version", value: "0.3.0" },
    { key: "BASEDIR", type: "dir", spec: "." },
    { key: "sessions", type: "file", spec: "sessions.csv", parent_key: "BASEDIR" },
    { key: "probes", type: "file", spec: "probes.csv", parent_key: "BASEDIR" },
    { key: "channels", type: "file", spec: "channels.csv", parent_key: "BASEDIR" },
    { key: "units", type: "file", spec: "units.csv", parent_key: "BASEDIR" },
    { key: "session_data", type: "dir", spec: "session_%d", parent_key: "BASEDIR" },
    { key: "session_nwb", type: "file", spec: "session_%d.nwb", parent_key: "session_data" },
    { key: "session_analysis_metrics", type: "file", spec: "session_%d_analysis_metrics.csv", parent_key: "session_data" },
    { key: "probe_lfp_nwb", type: "file", spec: "probe_%d_lfp.nwb", parent_key: "session_data" },
    { key: "movie_dir", type: "dir", spec: "natural_movie_templates", parent_key: "BASEDIR" },
    { key: "typewise_analysis_metrics", type: "file", spec: "%s_analysis_metrics.csv", parent_key: "BASEDIR" },
    { key: "natural_movie", type: "file", spec: "natural_movie_%d.h5", parent_key: "movie_dir" },
    { key: "natural_scene_dir", type: "dir", spec: "natural_scene_templates", parent_key: "BASEDIR" },
    { key: "natural_scene", type: "file", spec: "natural_scene_%d.tiff", parent_key: "natural_scene_dir" },
  ],
};

/**
 * Writes a cache into the folder `dir` (made if missing). `flow synth` hands it a temp
 * folder that is renamed into place once it is whole (CommandContext.atomicFolder).
 */
export async function writeCache(dir: string, specs: SessionSpec[], log: (m: string) => void = () => {}): Promise<SessionModel[]> {
  mkdirSync(dir, { recursive: true });
  const models: SessionModel[] = [];
  const csv = { sessions: [] as Cell[][], probes: [] as Cell[][], channels: [] as Cell[][], units: [] as Cell[][] };
  for (const spec of specs) {
    const s = buildSession(spec);
    const sdir = join(dir, `session_${s.id}`);
    mkdirSync(sdir, { recursive: true });
    await writeSessionNwb(join(sdir, `session_${s.id}.nwb`), s);
    log(
      `wrote session_${s.id}.nwb (${s.units.length} units, ${s.units.reduce((a, u) => a + u.spikes.length, 0)} spikes, ${s.rows.length} stimulus rows)`,
    );
    addCsvRows(csv, s);
    // Free the big arrays once written; tests rebuild models from the specs.
    if (spec.scale === "full") for (const u of s.units) u.spikes = new Float64Array(0);
    models.push(s);
  }
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(MANIFEST, null, 2) + "\n");
  writeFileSync(
    join(dir, "sessions.csv"),
    toCsv(
      ["id", "date_of_acquisition", "published_at", "specimen_id", "session_type", "isi_experiment_id", "age_in_days", "sex", "genotype", "has_nwb"],
      csv.sessions,
      new Set(["id", "specimen_id", "isi_experiment_id"]),
    ),
  );
  writeFileSync(
    join(dir, "probes.csv"),
    toCsv(
      [
        "id",
        "ecephys_session_id",
        "name",
        "phase",
        "sampling_rate",
        "lfp_sampling_rate",
        "has_lfp_data",
        "air_channel_index",
        "surface_channel_index",
        "lfp_temporal_subsampling_factor",
      ],
      csv.probes,
      new Set(["id", "ecephys_session_id", "air_channel_index", "surface_channel_index"]),
    ),
  );
  writeFileSync(
    join(dir, "channels.csv"),
    toCsv(
      [
        "id",
        "ecephys_probe_id",
        "local_index",
        "probe_horizontal_position",
        "probe_vertical_position",
        "anterior_posterior_ccf_coordinate",
        "dorsal_ventral_ccf_coordinate",
        "left_right_ccf_coordinate",
        "ecephys_structure_id",
        "ecephys_structure_acronym",
      ],
      csv.channels,
      new Set(["id", "ecephys_probe_id", "local_index", "probe_horizontal_position", "probe_vertical_position"]),
    ),
  );
  writeFileSync(join(dir, "units.csv"), toCsv(UNIT_CSV_COLUMNS, csv.units, new Set(["id", "ecephys_channel_id"])));
  return models;
}

const UNIT_CSV_COLUMNS = [
  "id",
  "PT_ratio",
  "amplitude",
  "amplitude_cutoff",
  "cumulative_drift",
  "d_prime",
  "duration",
  "ecephys_channel_id",
  "firing_rate",
  "halfwidth",
  "isi_violations",
  "isolation_distance",
  "l_ratio",
  "max_drift",
  "nn_hit_rate",
  "nn_miss_rate",
  "presence_ratio",
  "recovery_slope",
  "repolarization_slope",
  "silhouette_score",
  "snr",
  "spread",
  "velocity_above",
  "velocity_below",
  "quality",
];

function addCsvRows(csv: { sessions: Cell[][]; probes: Cell[][]; channels: Cell[][]; units: Cell[][] }, s: SessionModel) {
  csv.sessions.push([
    s.id,
    "2019-01-09T00:26:20Z",
    "2019-10-03T00:00:00Z",
    s.specimen.id,
    s.type,
    700000000 + (s.id % 1000),
    s.specimen.ageDays + 0.0,
    s.specimen.sex,
    s.specimen.genotype,
    true,
  ]);
  for (const p of s.probes) {
    csv.probes.push([p.id, s.id, p.name, p.phase, p.samplingRate, p.lfpSamplingRate * 2, p.hasLfp, 384, 383, 2.0]);
  }
  // channels.csv lists valid channels only; acronyms equal the NWB `location`.
  for (const c of s.channels) {
    if (!c.valid) continue;
    const acr = c.location && c.location !== "None" ? c.location : null;
    csv.channels.push([c.id, c.probeId, c.localIndex, c.horizontal, c.vertical, c.x, c.y, c.z, acr ? c.structureId : null, acr]);
  }
  for (const u of s.units) {
    const m = u.metrics;
    csv.units.push([
      u.id,
      m.PT_ratio,
      m.amplitude,
      m.amplitude_cutoff,
      m.cumulative_drift,
      m.d_prime,
      m.waveform_duration,
      u.peakChannelId,
      m.firing_rate,
      m.waveform_halfwidth,
      m.isi_violations,
      m.isolation_distance,
      m.l_ratio,
      m.max_drift,
      m.nn_hit_rate,
      m.nn_miss_rate,
      m.presence_ratio,
      m.recovery_slope,
      m.repolarization_slope,
      m.silhouette_score,
      m.snr,
      m.spread,
      m.velocity_above,
      m.velocity_below,
      u.quality,
    ]);
  }
}
