// Running speed (docs/allen-nwb-layout.md §5.3) and screen gaze (§5.4): the signals resampled onto the bins.
import type { Nwb } from "./open.js";
import { TaskError } from "#flow/task";
import { keptPerFile } from "../file-identity.js";

export interface Signal {
  times: Float64Array;
  values: Float64Array;
}

export function readRunningSpeed(nwb: Nwb): Signal {
  const times = nwb.numbers("/processing/running/running_speed/timestamps");
  const values = nwb.numbers("/processing/running/running_speed/data");
  if (times.length !== values.length) throw new TaskError(`${nwb.path}: running_speed data and timestamps differ in length`);
  return { times, values };
}

/** AllenSDK get_screen_gaze_data() column names, in its order. */
export const GAZE_COLUMNS = [
  "raw_eye_area",
  "raw_pupil_area",
  "raw_screen_coordinates_x_cm",
  "raw_screen_coordinates_y_cm",
  "raw_screen_coordinates_spherical_x_deg",
  "raw_screen_coordinates_spherical_y_deg",
] as const;

/** The raw gaze columns, or undefined when the session has no eye tracking (either gaze module missing). */
export function readScreenGaze(nwb: Nwb): { times: Float64Array; columns: Record<string, Float64Array> } | undefined {
  if (!nwb.has("/processing/raw_gaze_mapping") || !nwb.has("/processing/filtered_gaze_mapping")) return undefined;
  const base = "/processing/raw_gaze_mapping";
  const times = nwb.numbers(`${base}/eye_area/timestamps`);
  const n = times.length;
  const col2 = (name: string, k: 0 | 1) => {
    const a = nwb.numbers(`${base}/${name}/data`);
    if (a.length !== 2 * n) throw new TaskError(`${nwb.path}: ${base}/${name}/data is not N×2 with N = ${n}`);
    const o = new Float64Array(n);
    for (let i = 0; i < n; i++) o[i] = a[2 * i + k]!;
    return o;
  };
  // AllenSDK: column 1 is x, column 0 is y
  return {
    times,
    columns: {
      raw_eye_area: nwb.numbers(`${base}/eye_area/data`),
      raw_pupil_area: nwb.numbers(`${base}/pupil_area/data`),
      raw_screen_coordinates_x_cm: col2("screen_coordinates", 1),
      raw_screen_coordinates_y_cm: col2("screen_coordinates", 0),
      raw_screen_coordinates_spherical_x_deg: col2("screen_coordinates_spherical", 1),
      raw_screen_coordinates_spherical_y_deg: col2("screen_coordinates_spherical", 0),
    },
  };
}

/**
 * Running speed and gaze of a session, kept for the worker's next node (a session's ten
 * bin nodes each resample the same signals, and reading them is a large part of a bin node).
 */
export function sessionSignals(nwb: Nwb): { running: Signal; gaze: ReturnType<typeof readScreenGaze> } {
  return keptPerFile("signals", nwb.identity, () => ({ running: readRunningSpeed(nwb), gaze: readScreenGaze(nwb) }));
}
