// The intermediate files the steps hand each other (data/01_sessions/…, the cleaning
// plan): their shapes, in one place, so that no step imports another step.
import type { Presentation } from "./nwb/read-presentations.js";
import type { UnitInfo } from "./nwb/read-units.js";

/** A presentation of a session, as the clean-up handles it. */
export interface Row extends Presentation {
  session: number;
}

/** units.json: every unit with AllenSDK's default-filter verdict, its structure and its place in AllenSDK's unit order. */
export interface SessionUnits {
  session: number;
  units: UnitInfo[];
}

/** presentations.json: the AllenSDK stimulus_presentations table of one session, minus the dropped names. */
export interface SessionPresentations {
  session: number;
  presentations: Presentation[];
}

/**
 * presentation_summary.json — what the `medians` node needs of a session (the median is
 * over all sessions: docs/design.md §4.3): the param names, before and after the
 * whole-movie merge, and the merged durations per stimulus name in order of appearance.
 * Kilobytes where the whole table is ~20 MB a full session: the one serial step of the
 * clean-up stays small.
 */
export interface PresentationSummary {
  session: number;
  params: string[];
  whole_params: string[];
  durations: [string, number[]][];
}

/** cleaning_plan.json: what each session's `clean` and the `tables` gather need of all sessions. */
export interface CleaningPlan {
  /** median duration per stimulus name, in order of first appearance */
  medians: [string, number][];
  /** the param columns of 01_original.csv and 02_whole_movies.csv (sorted) */
  original_params: string[];
  whole_params: string[];
}

/** presentations_filtered.json: the presentations the binning reads. */
export interface KeptPresentations {
  session: number;
  presentations: Row[];
  /** presentations per stimulus name before any filtering (after the whole-movie merge) */
  before: Record<string, number>;
}

/** A row of 03_filtered.csv: its first eight cells, formatted, and its params' cells by name (a missing one is "null"). */
export type FilteredRow = [string[], Record<string, string>];
