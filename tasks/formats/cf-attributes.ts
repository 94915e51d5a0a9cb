// What a stimulus file says about itself (docs/design.md §4.1 allows attributes and bin
// bounds): CF attributes (Conventions, units, long_name, bounds) where CF has a word for
// it, and the provenance a reader needs to trust a bin without flow at hand — the params
// that shaped the file, each session's NWB file and its sha256, the flow version.
// Nothing here depends on a clock or a path of this machine: the files stay byte-identical.
import type { AttrValue } from "./h5.js";
import type { CubeHeader } from "./cube.js";

export const CONVENTIONS = "CF-1.8";

/** The params a stimulus file records as root attributes (each shaped its cubes or its bytes). */
export const SHAPING_PARAMS = {
  bin_width: "number",
  drop_names: "strings",
  median_threshold_movie: "number",
  median_threshold_other: "number",
  amplitude_cutoff_maximum: "number",
  presence_ratio_minimum: "number",
  isi_violations_maximum: "number",
  gzip_level: "integer",
} as const;

export type ShapingParams = { [K in keyof typeof SHAPING_PARAMS]: (typeof SHAPING_PARAMS)[K] extends "strings" ? string[] : number };

export function fileAttributes(o: {
  stimulus: string;
  stimulusNames: string[];
  parameters: string[];
  params: ShapingParams;
  flowVersion: string;
  nodeKey: string;
  sessions: number[];
  structures?: string;
}): Record<string, AttrValue> {
  const ms = Number((o.params.bin_width * 1000).toPrecision(6));
  const p = o.params;
  return {
    Conventions: CONVENTIONS,
    title: `Allen Visual Coding – Neuropixels, ${o.stimulus}: binary spike tensors in ${ms} ms bins, running speed and pupil on the same bins`,
    institution: "Allen Institute for Brain Science (recordings); binned by flow",
    source: "AllenSDK EcephysProjectCache session NWB files (one per session_<id> group; see each group's nwb_sha256)",
    references: "https://portal.brain-map.org/explore/circuits/visual-coding-neuropixels",
    stimulus_type: o.stimulus,
    stimulus_names: o.stimulusNames,
    stimulus_parameters: o.parameters,
    ...(o.structures ? { structure_filter: o.structures } : {}),
    session_ids: BigInt64Array.from(o.sessions, BigInt),
    bin_width: p.bin_width,
    bin_width_units: "s",
    drop_names: p.drop_names,
    median_threshold_movie: p.median_threshold_movie,
    median_threshold_other: p.median_threshold_other,
    amplitude_cutoff_maximum: p.amplitude_cutoff_maximum,
    presence_ratio_minimum: p.presence_ratio_minimum,
    isi_violations_maximum: p.isi_violations_maximum,
    unit_filter: `AllenSDK's default: valid channel, in brain, quality == "good", amplitude_cutoff <= ${p.amplitude_cutoff_maximum}, presence_ratio >= ${p.presence_ratio_minimum}, isi_violations <= ${p.isi_violations_maximum}`,
    duration_filter: `per stimulus name over all sessions: keep |duration - median| < ${p.median_threshold_movie} s (natural movies), < ${p.median_threshold_other} s (others)`,
    gzip_level: BigInt(p.gzip_level),
    flow_version: o.flowVersion,
    flow_node_key: o.nodeKey,
  };
}

/** On /session_<id>: which recording, from which file (its content hash, as flow keyed it). */
export function sessionAttributes(h: CubeHeader): Record<string, AttrValue> {
  return {
    session_id: BigInt(h.session),
    ...(h.session_type ? { session_type: h.session_type } : {}),
    nwb_file: `session_${h.session}.nwb`,
    nwb_sha256: h.nwb_sha256,
  };
}

/** On each spike_data, speed and pupil_data group (what xarray.open_dataset(group=…) shows as ds.attrs). */
export function dataGroupAttributes(h: CubeHeader, structure: string | undefined): Record<string, AttrValue> {
  return {
    session_id: BigInt(h.session),
    ...(h.session_type ? { session_type: h.session_type } : {}),
    stimulus_type: h.stimulus,
    ...(structure === undefined ? {} : { structure }),
    bin_width: h.bin_width,
  };
}

export const TIME_ATTRS: Record<string, AttrValue> = {
  units: "s",
  long_name: "bin centre, relative to stimulus onset",
  bounds: "time_bounds",
};

export function timeBoundsAttrs(clipped: boolean): Record<string, AttrValue> {
  return {
    units: "s",
    long_name: "bin edges [left, right], relative to stimulus onset (a spike on an edge counts in both bins)",
    ...(clipped
      ? { comment: "natural movies: each presentation's edges are clipped at its own stop time, so its last bins may be shorter or empty" }
      : {}),
  };
}

export const COORD_ATTRS: Record<string, Record<string, AttrValue>> = {
  presentation_id: { long_name: "AllenSDK stimulus_presentation_id (whole movies: the id of the first frame)" },
  unit_id: { long_name: "AllenSDK unit id (units table)" },
};

export const SPIKE_ATTRS: Record<string, AttrValue> = {
  long_name: "spike in bin (1) or not (0)",
  description: "1 if the unit fired at least once in the bin [left, right] (both edges inclusive)",
  flag_values: Uint8Array.of(0, 1),
  flag_meanings: "no_spike spike",
};

export const SPEED_ATTRS: Record<string, AttrValue> = {
  units: "cm/s",
  long_name: "running velocity (signed: negative when the wheel turns backwards)",
  comment:
    "AllenSDK running_speed (/processing/running/running_speed, x = each sample's start time), linearly interpolated at start_time + bin centre, clamped at the ends (numpy.interp)",
};

/** AllenSDK get_screen_gaze_data() columns (raw gaze mapping; docs/allen-nwb-layout.md §3.9, §5.4). */
const GAZE_ATTRS: Record<string, Record<string, AttrValue>> = {
  raw_eye_area: { units: "pixel^2", long_name: "eye area (raw gaze mapping, eye-camera pixels)" },
  raw_pupil_area: { units: "pixel^2", long_name: "pupil area (raw gaze mapping, eye-camera pixels)" },
  raw_screen_coordinates_x_cm: { units: "cm", long_name: "gaze position on the screen, x" },
  raw_screen_coordinates_y_cm: { units: "cm", long_name: "gaze position on the screen, y" },
  raw_screen_coordinates_spherical_x_deg: { units: "degree", long_name: "gaze position on the screen, azimuth" },
  raw_screen_coordinates_spherical_y_deg: { units: "degree", long_name: "gaze position on the screen, elevation" },
};
const GAZE_COMMENT = "linearly interpolated at start_time + bin centre, clamped at the ends (numpy.interp)";

export function gazeAttrs(column: string): Record<string, AttrValue> {
  return { ...(GAZE_ATTRS[column] ?? {}), comment: GAZE_COMMENT };
}

/** Units of the Allen stimulus parameters where the Allen documentation states them; others get a long_name only. */
const PARAMETER_ATTRS: Record<string, Record<string, AttrValue>> = {
  orientation: { units: "degree", long_name: "grating orientation" },
  temporal_frequency: { units: "Hz", long_name: "grating temporal frequency" },
  spatial_frequency: { units: "cycles/degree", long_name: "grating spatial frequency" },
  phase: { units: "1", long_name: "grating phase (fraction of a cycle)" },
  contrast: { units: "1", long_name: "stimulus contrast" },
  x_position: { units: "degree", long_name: "stimulus centre, azimuth" },
  y_position: { units: "degree", long_name: "stimulus centre, elevation" },
  frame: { long_name: "image or movie frame number (whole movies: the first frame's)" },
  color: { long_name: "flash colour (-1 black, 1 white)" },
};

export function presentationAttrs(name: string, parameters: string[]): Record<string, AttrValue> {
  switch (name) {
    case "stimulus_block":
      return { long_name: "AllenSDK stimulus_block" };
    case "start_time":
      return { units: "s", long_name: "presentation start (session clock)" };
    case "stop_time":
      return { units: "s", long_name: "presentation stop (session clock)" };
    case "duration":
      return { units: "s", long_name: "presentation duration (whole movies: the sum of the frames' durations)" };
  }
  const known = PARAMETER_ATTRS[name] ?? { long_name: `stimulus parameter ${name}` };
  return parameters.includes(name) ? { ...known, comment: "AllenSDK stimulus_presentations column, as float64 (NaN if not a number)" } : known;
}
