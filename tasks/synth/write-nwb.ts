// Writes one session NWB file with the real Allen 2020 layout
// (docs/allen-nwb-layout.md §2–3): typed-object attributes, vlen strings, int64 ids,
// ragged columns with object references, soft-linked timestamps, one TimeIntervals
// group per stimulus name.
import { h5, withFrozenClock, i64, type H5Group, type H5File } from "../formats/h5.js";
import { Rng } from "./rng.js";
import { FLOAT_COLUMNS, STRING_COLUMNS, type StimRow } from "./stimuli.js";
import type { SessionModel } from "./session.js";

type Ref = ReturnType<H5Group["create_reference"]>;

class Writer {
  constructor(
    readonly f: H5File,
    readonly rng: Rng,
  ) {}

  typed(g: { create_attribute: H5Group["create_attribute"] }, type: string, ns: string) {
    g.create_attribute("namespace", ns);
    g.create_attribute("neurodata_type", type);
    g.create_attribute("object_id", this.rng.uuid());
  }

  group(parent: H5Group, name: string, type?: [string, string], attrs: Record<string, unknown> = {}): H5Group {
    const g = parent.create_group(name);
    if (type) this.typed(g, type[0], type[1]);
    this.attrs(g, attrs);
    return g;
  }

  attrs(o: { create_attribute: H5Group["create_attribute"] }, attrs: Record<string, unknown>) {
    for (const [k, v] of Object.entries(attrs)) {
      if (typeof v === "bigint") o.create_attribute(k, new BigInt64Array([v]), [], "<q");
      else if (v instanceof Int8Array) o.create_attribute(k, v, [], "<b");
      else o.create_attribute(k, v as never);
    }
  }

  data(
    parent: H5Group,
    name: string,
    data: unknown,
    opts: { shape?: number[]; type?: [string, string]; attrs?: Record<string, unknown>; dtype?: string } = {},
  ) {
    const d = parent.create_dataset({ name, data: data as never, shape: opts.shape, dtype: opts.dtype });
    if (opts.type) this.typed(d, opts.type[0], opts.type[1]);
    this.attrs(d, opts.attrs ?? {});
    return d;
  }

  /** A VectorData column. */
  column(table: H5Group, name: string, data: unknown, description: string, shape?: number[]) {
    return this.data(table, name, data, { shape, type: ["VectorData", "hdmf-common"], attrs: { description } });
  }

  /** A ragged column: values plus a VectorIndex of exclusive end offsets. */
  ragged(table: H5Group, name: string, data: unknown, ends: number[], description: string, shape?: number[]) {
    const col = this.column(table, name, data, description, shape);
    const idx = this.data(table, `${name}_index`, i64(ends), { type: ["VectorIndex", "hdmf-common"] });
    idx.create_attribute("target", col.create_reference() as never);
  }

  ids(table: H5Group, ids: ArrayLike<number>) {
    this.data(table, "id", i64(ids), { type: ["ElementIdentifiers", "hdmf-common"] });
  }

  timeSeries(
    parent: H5Group,
    name: string,
    data: Float64Array,
    unit: string,
    timestamps: Float64Array | string,
    opts: { shape?: number[]; description?: string } = {},
  ) {
    const g = this.group(parent, name, ["TimeSeries", "core"], { comments: "no comments", description: opts.description ?? "no description" });
    this.data(g, "data", data, { shape: opts.shape, attrs: { conversion: 1.0, resolution: -1.0, unit } });
    if (typeof timestamps === "string") g.create_soft_link(timestamps, "timestamps");
    else {
      const ts = this.data(g, "timestamps", timestamps);
      ts.create_attribute("interval", new Int32Array([1]), [], "<i");
      ts.create_attribute("unit", "seconds");
    }
    return g;
  }
}

const PARAM_DESCRIPTIONS: Record<string, string> = {
  orientation: "Orientation of stimulus",
  temporal_frequency: "Temporal frequency of stimulus",
  contrast: "Contrast of stimulus",
  spatial_frequency: "Spatial frequency of stimulus",
  phase: "Phase of grating stimulus",
  frame: "Frame of movie stimulus",
  size: "Size of stimulus (see ‘units’ field for units)",
  color: "Color of stimulus",
  x_position: "Horizontal position of stimulus on screen",
  y_position: "Vertical position of stimulus on screen",
  Speed: "Speed of moving dot field",
  Dir: "Direction of stimulus movement",
  coherence: "Coherence of moving dot field",
  units: "Units of stimulus size",
  mask: "Shape of mask applied to stimulus",
};

export async function writeSessionNwb(path: string, s: SessionModel): Promise<void> {
  const lib = await h5();
  withFrozenClock(() => {
    const f = new lib.File(path, "w");
    try {
      writeAll(new Writer(f, new Rng(s.seed ^ 0x5eed)), s);
    } finally {
      f.close();
    }
  });
}

function writeAll(w: Writer, s: SessionModel) {
  const f = w.f;
  w.typed(f, "NWBFile", "core");
  f.create_attribute("nwb_version", "2.2.2");
  w.data(f, "file_create_date", ["2020-06-11T09:36:03.515163-07:00"]);
  w.data(f, "identifier", String(s.id));
  w.data(f, "session_description", "Data and metadata for an Ecephys session");
  w.data(f, "session_start_time", s.startTime);
  w.data(f, "timestamps_reference_time", s.startTime);
  f.create_group("analysis");
  const stim = f.create_group("stimulus");
  stim.create_group("presentation");
  stim.create_group("templates");

  // /general
  const general = f.create_group("general");
  w.data(general, "institution", "Allen Institute for Brain Science");
  w.data(general, "session_id", String(s.id));
  w.data(general, "stimulus", s.type);
  const subj = w.group(general, "subject", ["EcephysSpecimen", "ndx-aibs-ecephys"], {
    specimen_name: s.specimen.name,
    age_in_days: s.specimen.ageDays + 0.0,
    strain: s.specimen.strain,
  });
  w.data(subj, "age", `P${s.specimen.ageDays}D`);
  w.data(subj, "genotype", s.specimen.genotype);
  w.data(subj, "sex", s.specimen.sex);
  w.data(subj, "species", "Mus musculus");
  w.data(subj, "subject_id", String(s.specimen.id));
  const devices = general.create_group("devices");
  const ecephys = general.create_group("extracellular_ephys");
  const groupRefs = new Map<number, Ref>();
  for (const p of s.probes) {
    w.group(devices, p.name, ["EcephysProbe", "ndx-aibs-ecephys"], {
      description: "Neuropixels 1.0 Probe",
      manufacturer: "imec",
      probe_id: BigInt(p.id),
      sampling_rate: p.samplingRate,
    });
    const g = w.group(ecephys, p.name, ["EcephysElectrodeGroup", "ndx-aibs-ecephys"], {
      description: "Ecephys Electrode Group",
      location: "See electrode locations",
      probe_id: BigInt(p.id),
      lfp_sampling_rate: p.lfpSamplingRate,
      has_lfp_data: Int8Array.of(p.hasLfp ? 1 : 0),
    });
    g.create_soft_link(`/general/devices/${p.name}`, "device");
    groupRefs.set(p.id, g.create_reference());
  }
  const el = w.group(ecephys, "electrodes", ["DynamicTable", "hdmf-common"], {
    colnames: [
      "x",
      "y",
      "z",
      "imp",
      "location",
      "filtering",
      "group",
      "group_name",
      "probe_vertical_position",
      "probe_horizontal_position",
      "probe_id",
      "local_index",
      "valid_data",
    ],
    description: "metadata about extracellular electrodes",
  });
  const ch = s.channels;
  w.ids(
    el,
    ch.map((c) => c.id),
  );
  w.column(
    el,
    "x",
    Float64Array.from(ch, (c) => c.x),
    "the x coordinate of the channel location",
  );
  w.column(
    el,
    "y",
    Float64Array.from(ch, (c) => c.y),
    "the y coordinate of the channel location",
  );
  w.column(
    el,
    "z",
    Float64Array.from(ch, (c) => c.z),
    "the z coordinate of the channel location",
  );
  w.column(el, "imp", new Float64Array(ch.length).fill(NaN), "the impedance of the channel");
  w.column(
    el,
    "location",
    ch.map((c) => c.location),
    "the location of channel within the subject e.g. brain region",
  );
  w.column(
    el,
    "filtering",
    ch.map(() => "AP band: 500 Hz high-pass; LFP band: 1000 Hz low-pass"),
    "description of hardware filtering",
  );
  w.column(
    el,
    "group",
    ch.map((c) => groupRefs.get(c.probeId)!),
    "a reference to the ElectrodeGroup this electrode is a part of",
  );
  w.column(
    el,
    "group_name",
    ch.map((c) => c.probeName),
    "the name of the ElectrodeGroup this electrode is a part of",
  );
  w.column(el, "probe_vertical_position", i64(ch.map((c) => c.vertical)), "Length-wise position of electrode/channel on device (microns)");
  w.column(el, "probe_horizontal_position", i64(ch.map((c) => c.horizontal)), "Width-wise position of electrode/channel on device (microns)");
  w.column(el, "probe_id", i64(ch.map((c) => c.probeId)), "The unique id of this electrode's/channel's device");
  w.column(el, "local_index", i64(ch.map((c) => c.localIndex)), "The local index of electrode/channel on device");
  w.column(
    el,
    "valid_data",
    Int8Array.from(ch, (c) => (c.valid ? 1 : 0)),
    "Whether data from this electrode/channel is usable",
  );

  writeUnits(w, s);
  writeIntervals(w, s);
  writeProcessing(w, s);
}

const UNIT_METRICS = [
  "firing_rate",
  "isi_violations",
  "presence_ratio",
  "amplitude_cutoff",
  "snr",
  "isolation_distance",
  "l_ratio",
  "d_prime",
  "nn_hit_rate",
  "nn_miss_rate",
  "max_drift",
  "cumulative_drift",
  "silhouette_score",
  "waveform_duration",
  "waveform_halfwidth",
  "PT_ratio",
  "repolarization_slope",
  "recovery_slope",
  "amplitude",
  "spread",
  "velocity_above",
  "velocity_below",
];
export const WAVEFORM_SAMPLES = 4;

function writeUnits(w: Writer, s: SessionModel) {
  const units = s.units;
  const colnames = ["cluster_id", "local_index", "peak_channel_id", "quality", ...UNIT_METRICS, "spike_times", "spike_amplitudes", "waveform_mean"];
  const g = w.group(w.f, "units", ["Units", "core"], { colnames, description: "" });
  w.ids(
    g,
    units.map((u) => u.id),
  );
  w.column(g, "cluster_id", i64(units.map((u) => u.clusterId)), "no description");
  w.column(g, "local_index", i64(units.map((u) => u.localIndex)), "no description");
  w.column(g, "peak_channel_id", i64(units.map((u) => u.peakChannelId)), "no description");
  w.column(
    g,
    "quality",
    units.map((u) => u.quality),
    "no description",
  );
  for (const m of UNIT_METRICS)
    w.column(
      g,
      m,
      Float64Array.from(units, (u) => u.metrics[m] ?? NaN),
      "no description",
    );
  let total = 0;
  const ends = units.map((u) => (total += u.spikes.length));
  const times = new Float64Array(total);
  const amps = new Float64Array(total);
  let o = 0;
  for (const u of units) {
    times.set(u.spikes, o);
    const a0 = 5e-5 + (u.id % 97) * 1e-6;
    for (let i = 0; i < u.spikes.length; i++) amps[o + i] = a0 * (1 + 0.1 * Math.sin(i));
    o += u.spikes.length;
  }
  w.ragged(g, "spike_times", times, ends, "times (s) of detected spiking events");
  w.ragged(g, "spike_amplitudes", amps, ends, "amplitude (s) of detected spiking events");
  const rowsPerUnit = 384;
  const wf = new Float64Array(units.length * rowsPerUnit * WAVEFORM_SAMPLES);
  for (let i = 0; i < wf.length; i++) wf[i] = Math.sin(i * 0.37) * 10;
  w.ragged(
    g,
    "waveform_mean",
    wf,
    units.map((_, i) => (i + 1) * rowsPerUnit),
    "mean waveforms on peak channels (over samples)",
    [units.length * rowsPerUnit, WAVEFORM_SAMPLES],
  );
}

function writeIntervals(w: Writer, s: SessionModel) {
  const iv = w.f.create_group("intervals");
  const procStim = w.group(w.group(w.f, "processing"), "stimulus", ["ProcessingModule", "core"], { description: "Stimulus Times processing" });
  const allStarts = Float64Array.from(s.rows, (r) => r.start);
  const tsGroup = w.timeSeries(procStim, "timestamps", allStarts, "s", Float64Array.from(allStarts));
  const tsRef = tsGroup.create_reference();
  const position = new Map<StimRow, number>(s.rows.map((r, i) => [r, i]));
  const names = [...new Set(s.rows.map((r) => r.stimulus_name))].sort();
  for (const name of names) {
    const rows = s.rows.filter((r) => r.stimulus_name === name);
    const paramCols: string[] = [];
    for (const r of rows) for (const k of Object.keys(r.params)) if (!paramCols.includes(k)) paramCols.push(k);
    // columns that are NaN for every row of this stimulus are dropped (writer rule 1)
    const keep = paramCols.filter((c) =>
      rows.some((r) => {
        const v = r.params[c];
        return v !== undefined && !(typeof v === "number" && Number.isNaN(v));
      }),
    );
    const spont = name === "spontaneous";
    const colnames = [
      "start_time",
      "stop_time",
      ...keep,
      "stimulus_name",
      ...(spont ? [] : ["stimulus_block", "stimulus_index"]),
      "tags",
      "timeseries",
    ];
    const g = w.group(iv, `${name}_presentations`, ["TimeIntervals", "core"], {
      colnames,
      description: `Presentation times and stimuli details for '${name}' stimuli`,
    });
    w.ids(
      g,
      rows.map((_, i) => i),
    );
    w.column(
      g,
      "start_time",
      Float64Array.from(rows, (r) => r.start),
      "Start time of epoch, in seconds",
    );
    w.column(
      g,
      "stop_time",
      Float64Array.from(rows, (r) => r.stop),
      "Stop time of epoch, in seconds",
    );
    for (const c of keep) {
      const desc = PARAM_DESCRIPTIONS[c] ?? "No description";
      if (STRING_COLUMNS.has(c))
        w.column(
          g,
          c,
          rows.map((r) => (r.params[c] === undefined ? "N/A" : String(r.params[c]))),
          desc,
        );
      else if (FLOAT_COLUMNS.has(c))
        w.column(
          g,
          c,
          Float64Array.from(rows, (r) => (r.params[c] === undefined ? NaN : Number(r.params[c]))),
          desc,
        );
      else throw new Error(`generator: column ${c} has no declared type`);
    }
    w.column(
      g,
      "stimulus_name",
      rows.map(() => name),
      "Name of stimulus",
    );
    if (!spont) {
      w.column(
        g,
        "stimulus_block",
        Float64Array.from(rows, (r) => r.block!),
        "Index of contiguous presentations of one stimulus type",
      );
      w.column(
        g,
        "stimulus_index",
        Float64Array.from(rows, (r) => r.index!),
        "Index of stimulus type",
      );
    }
    w.ragged(
      g,
      "tags",
      rows.map(() => "stimulus_time_interval"),
      rows.map((_, i) => i + 1),
      "user-defined tags",
    );
    const comp = new Map<string, unknown>([
      ["idx_start", Int32Array.from(rows, (r) => position.get(r)!)],
      ["count", new Int32Array(rows.length).fill(1)],
      ["timeseries", rows.map(() => tsRef)],
    ]);
    const ts = w.data(g, "timeseries", comp, { type: ["VectorData", "hdmf-common"], attrs: { description: "index into a TimeSeries object" } });
    const idx = w.data(g, "timeseries_index", i64(rows.map((_, i) => i + 1)), { type: ["VectorIndex", "hdmf-common"] });
    idx.create_attribute("target", ts.create_reference() as never);
  }
  if (s.invalid.length) {
    const g = w.group(iv, "invalid_times", ["TimeIntervals", "core"], {
      colnames: ["start_time", "stop_time", "tags"],
      description: "experimental intervals",
    });
    w.ids(
      g,
      s.invalid.map((_, i) => i),
    );
    w.column(
      g,
      "start_time",
      Float64Array.from(s.invalid, (r) => r.start),
      "Start time of epoch, in seconds",
    );
    w.column(
      g,
      "stop_time",
      Float64Array.from(s.invalid, (r) => r.stop),
      "Stop time of epoch, in seconds",
    );
    w.ragged(
      g,
      "tags",
      s.invalid.flatMap((r) => r.tags),
      s.invalid.map((_, i) => 3 * (i + 1)),
      "user-defined tags",
    );
  }
}

function writeProcessing(w: Writer, s: SessionModel) {
  const proc = w.f.get("processing") as H5Group;
  const acq = w.f.create_group("acquisition");
  const r = s.running;
  w.timeSeries(acq, "raw_running_wheel_rotation", r.rawDx, "radians", r.rawTimes);
  w.timeSeries(acq, "running_wheel_signal_voltage", r.vsig, "V", "/acquisition/raw_running_wheel_rotation/timestamps");
  w.timeSeries(acq, "running_wheel_supply_voltage", r.vin, "V", "/acquisition/raw_running_wheel_rotation/timestamps");
  const run = w.group(proc, "running", ["ProcessingModule", "core"], { description: "running speed data" });
  w.timeSeries(run, "running_speed", r.velocity, "cm/s", r.start);
  w.timeSeries(run, "running_speed_end_times", new Float64Array(r.end.length).fill(NaN), "cm/s", r.end);
  w.timeSeries(run, "running_wheel_rotation", r.rotation, "radians", "/processing/running/running_speed/timestamps");

  const rig = w.group(proc, "eye_tracking_rig_metadata", ["ProcessingModule", "core"], { description: "Eye tracking rig metadata" });
  const meta = w.group(rig, "eye_tracking_rig_metadata", ["EcephysEyeTrackingRigMetadata", "ndx-aibs-ecephys"], { equipment: "NP.1" });
  for (const [k, unit] of [
    ["monitor_position", "mm"],
    ["camera_position", "mm"],
    ["led_position", "mm"],
    ["monitor_rotation", "deg"],
    ["camera_rotation", "deg"],
  ] as const) {
    w.data(meta, k, Float64Array.of(10.5, -20.25, 130.0), { attrs: { unit } });
  }
  if (s.eye) {
    const e = s.eye;
    const et = w.group(proc, "eye_tracking", ["ProcessingModule", "core"], { description: "Eye tracking processing module" });
    for (const kind of ["pupil", "cr", "eye"] as const) {
      const t = w.group(et, `${kind}_ellipse_fits`, ["DynamicTable", "hdmf-common"], {
        colnames: ["center_x", "center_y", "height", "phi", "width", "timestamps"],
        description: `${kind} ellipse fits`,
      });
      w.ids(
        t,
        Array.from({ length: e.times.length }, (_, i) => i),
      );
      for (const c of ["center_x", "center_y", "height", "phi", "width"] as const) w.column(t, c, e.fits[kind][c], "no description");
      w.column(t, "timestamps", Float64Array.from(e.times), "no description");
    }
    for (const [mod, d] of [
      ["raw_gaze_mapping", e.raw],
      ["filtered_gaze_mapping", e.filtered],
    ] as const) {
      const g = w.group(proc, mod, ["ProcessingModule", "core"], {
        description: `Gaze mapping processing module ${mod.startsWith("raw") ? "raw" : "filtered"} outputs`,
      });
      w.timeSeries(g, "eye_area", d.eyeArea, "Pixels ^ 2", Float64Array.from(e.times));
      w.timeSeries(g, "pupil_area", d.pupilArea, "Pixels ^ 2", Float64Array.from(e.times));
      w.timeSeries(g, "screen_coordinates", d.screen, "Centimeters", Float64Array.from(e.times), { shape: [e.times.length, 2] });
      w.timeSeries(g, "screen_coordinates_spherical", d.spherical, "Degrees", Float64Array.from(e.times), { shape: [e.times.length, 2] });
    }
  }
  if (s.opto.length) {
    const o = w.group(proc, "optotagging", ["ProcessingModule", "core"], { description: "optogenetic stimulution data" });
    const ts = w.timeSeries(
      o,
      "optotagging",
      Float64Array.from(s.opto, (x) => x.duration),
      "seconds",
      Float64Array.from(s.opto, (x) => x.start),
    );
    const g = w.group(o, "optogenetic_stimulation", ["TimeIntervals", "core"], {
      colnames: ["start_time", "condition", "level", "stop_time", "stimulus_name", "duration", "tags", "timeseries"],
      description: "",
    });
    w.ids(
      g,
      s.opto.map((_, i) => i),
    );
    w.column(
      g,
      "start_time",
      Float64Array.from(s.opto, (x) => x.start),
      "Start time of epoch, in seconds",
    );
    w.column(
      g,
      "condition",
      s.opto.map((x) => x.condition),
      "No description",
    );
    w.column(
      g,
      "level",
      Float64Array.from(s.opto, (x) => x.level),
      "No description",
    );
    w.column(
      g,
      "stop_time",
      Float64Array.from(s.opto, (x) => x.start + x.duration),
      "Stop time of epoch, in seconds",
    );
    w.column(
      g,
      "stimulus_name",
      s.opto.map((x) => x.name),
      "No description",
    );
    w.column(
      g,
      "duration",
      Float64Array.from(s.opto, (x) => x.duration),
      "No description",
    );
    w.ragged(
      g,
      "tags",
      s.opto.map(() => "optical_stimulation"),
      s.opto.map((_, i) => i + 1),
      "user-defined tags",
    );
    const ref = ts.create_reference();
    const comp = new Map<string, unknown>([
      ["idx_start", Int32Array.from(s.opto, (_, i) => i)],
      ["count", new Int32Array(s.opto.length).fill(1)],
      ["timeseries", s.opto.map(() => ref)],
    ]);
    const tcol = w.data(g, "timeseries", comp, { type: ["VectorData", "hdmf-common"], attrs: { description: "index into a TimeSeries object" } });
    const idx = w.data(g, "timeseries_index", i64(s.opto.map((_, i) => i + 1)), { type: ["VectorIndex", "hdmf-common"] });
    idx.create_attribute("target", tcol.create_reference() as never);
  }
}
