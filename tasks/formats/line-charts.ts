// Line figures of a stimulus type over all its sessions, as SVG: the population PSTH (one
// small panel per structure, spikes/s) and the behaviour (running velocity and pupil area,
// mean ± SD over trials). Dashed lines mark stimulus onset and offset; the drawn values
// are in data- attributes, so the figure can be checked against the data.
import { columnGroup, onsetOffset, stepPath } from "./raster-chart.js";
import { columns, esc, f1, headerLines, niceTicks, num, rangeTicks, svgOpen, tickText, xAxis, yAxis } from "./svg.js";

export interface RatePanel {
  structure: string;
  units: number;
  sessions: number;
  /** spikes/s per bin (bin k from onset) */
  rate: ArrayLike<number>;
}

interface TimeAxis {
  binWidth: number;
  /** stimulus offset, s from onset */
  offset: number;
}

const PANEL_W = 330,
  PANEL_H = 80,
  COL_W = 420,
  PANEL_LEFT = 70;

/** One panel per structure, two to a row; each with its own rate axis, all on the same time axis. */
export function populationPsth(title: string, subtitle: string, t: TimeAxis, panels: RatePanel[]): string {
  const bins = Math.max(1, ...panels.map((p) => p.rate.length));
  const t1 = bins * t.binWidth;
  const group = columnGroup(bins, PANEL_W);
  const out: string[] = [];
  const rowH = PANEL_H + 62;
  panels.forEach((p, i) => {
    const x0 = 10 + (i % 2) * COL_W + PANEL_LEFT,
      top = 76 + Math.floor(i / 2) * rowH;
    out.push(
      `<text x="${x0 - PANEL_LEFT + 4}" y="${top - 8}" font-size="11"><tspan font-weight="bold">${esc(p.structure)}</tspan>: ${p.units} unit${p.units === 1 ? "" : "s"}, ${p.sessions} session${p.sessions === 1 ? "" : "s"}</text>`,
    );
    const shown = columns(p.rate, group);
    const ticks = niceTicks(Math.max(1e-9, ...shown.filter(Number.isFinite)), 3);
    const base = top + PANEL_H;
    const yOf = yAxis(out, x0, base, top, ticks, 9, { x1: x0 + PANEL_W });
    const xOf = (t: number) => x0 + (t / t1) * PANEL_W;
    out.push(stepPath(shown, (c) => x0 + (Math.min(c * group, bins) / bins) * PANEL_W, yOf, base, "#4477aa", "none"));
    out.push(...onsetOffset(xOf, t.offset, t1, top, base));
    xAxis(out, x0, PANEL_W, base, base, niceTicks(t1, 4), "", 9, [0, t1]);
    out.push(`<g data-structure="${esc(p.structure)}" data-group="${group}"/>`);
  });
  const rows = Math.ceil(panels.length / 2);
  const h = 76 + rows * rowH + 10;
  const header = headerLines(10 + 2 * COL_W, title, [
    `${subtitle}${group > 1 ? ` (${group} bins to a column)` : ""}`,
    `spikes/s against time from stimulus onset (s); dashed: onset and offset (${tickText(Number(t.offset.toPrecision(4)))} s)`,
  ]);
  const head = svgOpen(header.width, h, title);
  header.draw(head);
  if (panels.length === 0) head.push(`<text x="20" y="90">no structure has units for this stimulus</text>`);
  return [...head, ...out, "</svg>"].join("\n") + "\n";
}

export interface SpreadPanel {
  /** e.g. "running velocity (cm/s)" */
  label: string;
  trials: number;
  sessions: number;
  mean: ArrayLike<number>;
  sd: ArrayLike<number>;
  /** said instead of a plot when there are no trials */
  none: string;
}

const SPREAD_LEFT = 90,
  SPREAD_W = 620,
  SPREAD_H = 130;

/** Mean ± SD bands, one panel per signal, on the time axis from onset. */
export function spreadFigure(title: string, t: TimeAxis, panels: SpreadPanel[]): string {
  const out: string[] = [];
  let y = 62;
  for (const p of panels) {
    out.push(
      `<text x="20" y="${y + 12}" font-size="12"><tspan font-weight="bold">${esc(p.label)}</tspan>: mean ± SD over ${p.trials} trials, ${p.sessions} session${p.sessions === 1 ? "" : "s"}</text>`,
    );
    y += 26;
    if (p.trials === 0 || p.mean.length === 0) {
      out.push(`<text x="${SPREAD_LEFT}" y="${y + 16}" font-size="11">${esc(p.none)}</text>`);
      y += 40;
      continue;
    }
    const bins = p.mean.length,
      t1 = bins * t.binWidth;
    const group = columnGroup(bins);
    const mean = columns(p.mean, group),
      sd = columns(p.sd, group);
    const lo = Math.min(...mean.map((m, c) => m - sd[c]!).filter(Number.isFinite)),
      hi = Math.max(...mean.map((m, c) => m + sd[c]!).filter(Number.isFinite));
    const ticks = rangeTicks(lo, hi, 4);
    const top = y,
      base = y + SPREAD_H;
    const yOf = yAxis(out, SPREAD_LEFT, base, top, ticks, 9, { x1: SPREAD_LEFT + SPREAD_W });
    const C = mean.length;
    const xc = (c: number) => SPREAD_LEFT + ((c + 0.5) / C) * SPREAD_W;
    const upper = mean.map((m, c) => `${f1(xc(c))},${f1(yOf(m + sd[c]!))}`);
    const lower = mean.map((m, c) => `${f1(xc(c))},${f1(yOf(m - sd[c]!))}`).reverse();
    out.push(`<polygon points="${[...upper, ...lower].join(" ")}" fill="#bbccee" stroke="none" data-sd="${sd.map(num).join(" ")}"/>`);
    out.push(
      `<polyline points="${mean.map((m, c) => `${f1(xc(c))},${f1(yOf(m))}`).join(" ")}" fill="none" stroke="#4477aa" data-mean="${mean.map(num).join(" ")}"/>`,
    );
    out.push(...onsetOffset((tt) => SPREAD_LEFT + (tt / t1) * SPREAD_W, t.offset, t1, top, base));
    xAxis(out, SPREAD_LEFT, SPREAD_W, base, base, niceTicks(t1, 6), "", 10, [0, t1]);
    out.push(`<g data-signal="${esc(p.label)}" data-group="${group}"/>`);
    y = base + 40;
  }
  const header = headerLines(SPREAD_LEFT + SPREAD_W + 40, title, [
    `time from stimulus onset (s); band: ± 1 SD over trials (ddof 0); dashed: onset and offset (${tickText(Number(t.offset.toPrecision(4)))} s)`,
  ]);
  const head = svgOpen(header.width, y + 20, title);
  header.draw(head);
  return [...head, ...out, "</svg>"].join("\n") + "\n";
}
