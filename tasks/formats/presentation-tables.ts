// The rows of the three presentation tables (01_original, 02_whole_movies, 03_filtered):
// fixed columns first, then the params in name order, each cell as pandas writes it.
import { csvCell, csvHeader, type Cell as CsvCell } from "./pyfmt.js";
import type { Row } from "../science/cleaning.js";

/** The fixed columns of every presentation table; the params follow, sorted. */
export const FIXED_COLUMNS = [
  "session_id",
  "stimulus_presentation_id",
  "stimulus_name",
  "stimulus_block",
  "start_time",
  "stop_time",
  "duration",
  "stimulus_condition_id",
];
const INT_COLUMNS = new Set(["session_id", "stimulus_presentation_id", "stimulus_condition_id"]);
const FIXED_INT = FIXED_COLUMNS.map((c) => INT_COLUMNS.has(c));

const cell = (v: unknown): CsvCell => (v === null || v === undefined ? "null" : (v as CsvCell));

/** A row's fixed cells, formatted. */
export const fixedCells = (r: Row): string[] =>
  [
    r.session,
    r.stimulus_presentation_id,
    r.stimulus_name,
    cell(r.stimulus_block),
    r.start_time,
    r.stop_time,
    r.duration,
    cell(r.stimulus_condition_id),
  ].map((v, i) => csvCell(v, { int: FIXED_INT[i] }));

/** A row's param cells, by name ("null" for a missing one). */
export const paramCell = (r: Row) => (p: string) => csvCell(cell(r.params[p]));
/** Every param cell the row has, formatted. */
export const paramCells = (r: Row): Record<string, string> => Object.fromEntries(Object.keys(r.params).map((k) => [k, csvCell(cell(r.params[k]))]));

/** A row as a line of a table with these param columns: its cells formatted by csvCell, as toCsv writes them. */
export const csvLine = (fixed: string[], params: (p: string) => string, columns: string[]) => [...fixed, ...columns.map(params)].join(",");

/** The header of a presentation table with these param columns. */
export const tableHeader = (params: string[]) => csvHeader([...FIXED_COLUMNS, ...params]);
