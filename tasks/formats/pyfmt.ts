// Numbers and CSV cells written the way Python/pandas write them (repr of a float:
// "118.0", "1e-05", "nan" as an empty cell), so our CSVs read like the original's.
import { LineWriter } from "./lines.js";

export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  // Fast path: for 1e-4 ≤ |x| < 1e16 both languages print the shortest round-trip
  // digits in plain notation; only integers differ ("118" vs "118.0").
  const ax = Math.abs(x);
  if (ax >= 1e-4 && ax < 1e16) {
    const j = String(x);
    if (!j.includes("e")) return j.includes(".") ? j : `${j}.0`;
  }
  const e = x.toExponential(); // shortest round-trip digits
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(e)!;
  const [, sign, d0, rest = "", expS] = m;
  const exp = Number(expS);
  const digits = d0! + rest;
  if (exp >= -4 && exp < 16) {
    let s: string;
    if (exp >= 0) {
      const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
      const frac = digits.slice(exp + 1);
      s = `${intPart}.${frac || "0"}`;
    } else {
      s = `0.${"0".repeat(-exp - 1)}${digits}`;
    }
    return sign + s;
  }
  const mant = rest ? `${d0}.${rest}` : d0!;
  return `${sign}${mant}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

export type Cell = string | number | boolean | null | undefined;

export function csvCell(v: Cell, opts: { int?: boolean } = {}): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "";
    return opts.int && Number.isInteger(v) ? String(v) : pyFloat(v);
  }
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The header line of a CSV with these columns (no newline). */
export const csvHeader = (columns: string[]) => columns.map((c) => csvCell(c)).join(",");

/** Writes rows as CSV text; `ints` names columns written as integers. */
export function toCsv(columns: string[], rows: Cell[][], ints: Set<string> = new Set()): string {
  const lines = [csvHeader(columns)];
  for (const r of rows) lines.push(r.map((v, i) => csvCell(v, { int: ints.has(columns[i]!) })).join(","));
  return lines.join("\n") + "\n";
}

/**
 * A CSV written row by row: the same bytes as toCsv for the same rows, without ever
 * holding the whole table as one string (58 sessions' presentations are ~4·10⁶ rows,
 * more than V8's longest string).
 */
export class CsvWriter {
  private out: LineWriter;
  private readonly intCol: boolean[];

  constructor(path: string, columns: string[], ints: Set<string> = new Set()) {
    this.out = new LineWriter(path);
    this.intCol = columns.map((c) => ints.has(c));
    this.out.line(csvHeader(columns));
  }

  row(r: Cell[]) {
    this.out.line(r.map((v, i) => csvCell(v, { int: this.intCol[i] })).join(","));
  }

  close() {
    this.out.close();
  }
}

/** CSV text written by toCsv (or pandas) → header and rows (the engine's parser). */
export { parseCsv } from "#flow/task";
