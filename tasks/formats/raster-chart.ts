// The raster of a stimulus type, as SVG: for each structure, one unit's trials × bins with
// the trials grouped by condition (the stimulus type's first parameter, its value marked
// at the left of each group), and under it the structure's PSTH in spikes/s; dashed lines
// mark stimulus onset and offset. Values are in data- attributes (the condition's
// presentation ids, each drawn column's rate), so the figure can be checked against the data.
import { grayPng } from "./png.js";
import { columns, esc, f1, headerLines, niceTicks, num, spaced, svgOpen, tickText, xAxis, yAxis } from "./svg.js";

/** Wide stimuli are drawn with several bins to a column: at most this many columns. */
const MAX_COLUMNS = 600;
export const columnGroup = (bins: number, max = MAX_COLUMNS) => Math.max(1, Math.ceil(bins / max));

export interface RasterCondition {
  value: number;
  /** the trials shown, by index into the session's presentations, and their presentation ids */
  trials: number[];
  ids: number[];
  /** how many trials the condition has in the session */
  of: number;
}

export interface RasterPanel {
  structure: string;
  nUnits: number;
  /** the unit drawn: spike(trial index, bin) */
  unit: { id: number; spike: (trial: number, bin: number) => boolean };
  /** spikes/s per bin over all the structure's units and all the session's trials */
  rate: ArrayLike<number>;
}

export interface RasterSpec {
  title: string;
  subtitle: string;
  /** bin centres, s from onset */
  time: number[];
  binWidth: number;
  parameter: string;
  conditions: RasterCondition[];
  /** stimulus offset, s from onset (the median duration of the session's presentations) */
  offset: number;
  panels: RasterPanel[];
}

const LEFT = 190,
  PLOT_W = 600,
  WIDTH = LEFT + PLOT_W + 30,
  PSTH_H = 56,
  LABEL = 9;

export function rasterFigure(s: RasterSpec): string {
  const bins = s.time.length;
  const group = columnGroup(bins);
  const C = Math.ceil(bins / group);
  const t0 = (s.time[0] ?? 0) - s.binWidth / 2,
    t1 = (s.time[bins - 1] ?? 0) + s.binWidth / 2;
  const xOf = (t: number) => LEFT + ((t - t0) / Math.max(1e-12, t1 - t0)) * PLOT_W;
  const rows = s.conditions.reduce((a, c) => a + c.trials.length, 0);
  // few trials get taller rows (one trial of a movie would be a 2 px line)
  const rowH = Math.min(8, Math.max(2, Math.floor(240 / Math.max(1, rows))));
  const out: string[] = [];
  let y = 70;
  for (const p of s.panels) {
    out.push(
      `<text x="10" y="${y + 12}" font-size="13"><tspan font-weight="bold">${esc(p.structure)}</tspan> — unit ${p.unit.id}, the most active of ${p.nUnits}</text>`,
    );
    y += 20;
    const top = y;
    out.push(...conditionBands(s.conditions, top, rowH));
    const px = new Uint8Array(C * Math.max(1, rows)).fill(247);
    let r = 0;
    for (const c of s.conditions)
      for (const tr of c.trials) {
        for (let b = 0; b < bins; b++) if (p.unit.spike(tr, b)) px[r * C + Math.floor(b / group)] = 0;
        r++;
      }
    const png = grayPng(Math.max(1, C), Math.max(1, rows), px).toString("base64");
    out.push(
      `<image x="${LEFT}" y="${top}" width="${PLOT_W}" height="${rows * rowH}" preserveAspectRatio="none" style="image-rendering:pixelated" href="data:image/png;base64,${png}"/>`,
    );
    // thin lines between conditions
    let row = 0;
    for (const c of s.conditions.slice(0, -1)) {
      row += c.trials.length;
      out.push(
        `<line x1="${LEFT}" y1="${f1(top + row * rowH)}" x2="${LEFT + PLOT_W}" y2="${f1(top + row * rowH)}" stroke="#99aabb" stroke-width="0.5"/>`,
      );
    }
    y = top + rows * rowH + 8;
    const shown = columns(p.rate, group);
    const ticks = niceTicks(Math.max(1e-9, ...shown.filter(Number.isFinite)), 2);
    const base = y + PSTH_H;
    const yOf = yAxis(out, LEFT, base, y + 4, ticks, LABEL);
    out.push(`<text x="${LEFT - 30}" y="${f1(y + PSTH_H / 2 + 3)}" text-anchor="end" font-size="${LABEL}">spikes/s</text>`);
    out.push(stepPath(shown, (c) => LEFT + (Math.min(c * group, bins) / bins) * PLOT_W, yOf, base, "#4477aa", "#bbccee"));
    out.push(`<line x1="${LEFT}" y1="${f1(base)}" x2="${LEFT + PLOT_W}" y2="${f1(base)}" stroke="#333"/>`);
    out.push(...onsetOffset(xOf, s.offset, t1, top, base));
    y = base + 22;
  }
  const axis: string[] = [];
  xAxis(axis, LEFT, PLOT_W, y, y, niceTicks(t1, 6), "time from stimulus onset (s)", 12, [t0, t1]);
  const header = headerLines(WIDTH, s.title, [
    `${s.subtitle}, rows grouped by ${s.parameter} (its value at the left)`,
    `PSTH: spikes/s over all trials and the structure's units; dashed: onset and offset (${tickText(Number(s.offset.toPrecision(4)))} s)${group > 1 ? `; ${group} bins to a column` : ""}`,
  ]);
  const head = svgOpen(header.width, y + 50, s.title);
  header.draw(head);
  return [...head, ...out, ...axis, "</svg>"].join("\n") + "\n";
}

/** The condition column: a strip per condition (alternating shades) with its value, labels that would collide left out. */
function conditionBands(conditions: RasterCondition[], top: number, rowH: number): string[] {
  const out: string[] = [];
  const labels: { at: number; text: string }[] = [];
  let row = 0;
  conditions.forEach((c, i) => {
    const y0 = top + row * rowH,
      h = c.trials.length * rowH;
    out.push(
      `<rect x="${LEFT - 9}" y="${f1(y0)}" width="6" height="${f1(h)}" fill="${i % 2 ? "#bbccee" : "#4477aa"}" data-value="${num(c.value)}" data-of="${c.of}" data-ids="${c.ids.join(" ")}"/>`,
    );
    labels.push({ at: y0 + h / 2, text: Number.isNaN(c.value) ? "NaN" : tickText(c.value) });
    row += c.trials.length;
  });
  for (const l of spaced(labels, (a, b) => b.at - a.at >= LABEL + 1)) {
    out.push(`<text x="${LEFT - 12}" y="${f1(l.at + LABEL / 3)}" text-anchor="end" font-size="${LABEL}">${esc(l.text)}</text>`);
  }
  return out;
}

/** A filled step line of column values, with the values in data-rate. */
export function stepPath(
  values: number[],
  xOf: (c: number) => number,
  yOf: (v: number) => number,
  base: number,
  stroke: string,
  fill: string,
): string {
  let d = `M${f1(xOf(0))},${f1(base)}`;
  values.forEach((v, c) => {
    const yy = Number.isFinite(v) ? yOf(v) : base;
    d += ` L${f1(xOf(c))},${f1(yy)} L${f1(xOf(c + 1))},${f1(yy)}`;
  });
  d += ` L${f1(xOf(values.length))},${f1(base)}`;
  return `<path d="${d}" fill="${fill}" stroke="${stroke}" data-rate="${values.map(num).join(" ")}"/>`;
}

/** Dashed vertical lines at onset (0 s) and offset, from yTop to yBottom (offset only if inside the axis). */
export function onsetOffset(xOf: (t: number) => number, offset: number, t1: number, yTop: number, yBottom: number): string[] {
  const line = (t: number, what: string) =>
    `<line x1="${f1(xOf(t))}" y1="${f1(yTop)}" x2="${f1(xOf(t))}" y2="${f1(yBottom)}" stroke="#cc3311" stroke-dasharray="4 3" data-marks="${what}" data-t="${num(t)}"/>`;
  return [line(0, "onset"), ...(offset > 0 && offset <= t1 + 1e-9 ? [line(offset, "offset")] : [])];
}
