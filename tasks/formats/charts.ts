// The dataset's figures, as SVG: text, byte-deterministic (every number is printed with
// a fixed number of decimals), opens anywhere. Bar charts have an axis with ticks; the
// raster of a stimulus shows trials × bins for a few units of each structure with the
// structure's PSTH (mean spike probability per bin) under it, on a time axis in seconds
// from stimulus onset.

import { grayPng } from "./png.js";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const f1 = (x: number) => (Math.round(x * 10) / 10).toFixed(1);

/** Tick values 0, step, 2·step … covering max, with step 1, 2 or 5 × 10^k (about 5 ticks). */
export function niceTicks(max: number, target = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  if (out[out.length - 1]! < max) out.push(Number((out[out.length - 1]! + step).toPrecision(12)));
  return out;
}

const tickText = (v: number) => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6))));

function svgOpen(w: number, h: number, title: string): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${f1(w / 2)}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`,
  ];
}

/** A horizontal axis from x0 to x0+width at y, for values 0…max, with ticks, grid lines up to yTop, and a label. */
function xAxis(out: string[], x0: number, width: number, y: number, yTop: number, ticks: number[], label: string, fmt = tickText) {
  const max = ticks[ticks.length - 1]!;
  out.push(`<line x1="${f1(x0)}" y1="${f1(y)}" x2="${f1(x0 + width)}" y2="${f1(y)}" stroke="#333"/>`);
  for (const t of ticks) {
    const x = x0 + (t / max) * width;
    out.push(`<line x1="${f1(x)}" y1="${f1(yTop)}" x2="${f1(x)}" y2="${f1(y)}" stroke="#e4e4e4"/>`);
    out.push(`<line x1="${f1(x)}" y1="${f1(y)}" x2="${f1(x)}" y2="${f1(y + 4)}" stroke="#333"/>`);
    out.push(`<text x="${f1(x)}" y="${f1(y + 16)}" text-anchor="middle">${fmt(t)}</text>`);
  }
  out.push(`<text x="${f1(x0 + width / 2)}" y="${f1(y + 34)}" text-anchor="middle">${esc(label)}</text>`);
}

/** Horizontal bars, one row per label, with an axis of ticks; each bar carries its number. */
export function barChart(title: string, xLabel: string, bars: [string, number][]): string {
  const rowH = 18,
    left = 190,
    width = 760,
    top = 40;
  const ticks = niceTicks(Math.max(1, ...bars.map(([, v]) => v)));
  const max = ticks[ticks.length - 1]!;
  const plotW = width - left - 70;
  const axisY = top + bars.length * rowH + 6;
  const h = axisY + 48;
  const out = svgOpen(width, h, title);
  xAxis(out, left, plotW, axisY, top, ticks, xLabel);
  bars.forEach(([label, v], i) => {
    const y = top + i * rowH;
    const w = (v / max) * plotW;
    out.push(`<text x="${left - 6}" y="${y + 13}" text-anchor="end">${esc(label)}</text>`);
    out.push(`<rect x="${left}" y="${y + 2}" width="${f1(w)}" height="${rowH - 4}" fill="#4477aa"/>`);
    out.push(`<text x="${f1(left + w + 4)}" y="${y + 13}">${v}</text>`);
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}

/** Two bars per row (before, after), with a legend and an axis. */
export function pairedBarChart(title: string, xLabel: string, rows: [string, number, number][], names: [string, string]): string {
  const rowH = 30,
    left = 230,
    width = 780,
    top = 58;
  const ticks = niceTicks(Math.max(1, ...rows.flatMap(([, a, b]) => [a, b])));
  const max = ticks[ticks.length - 1]!;
  const plotW = width - left - 80;
  const axisY = top + rows.length * rowH + 6;
  const out = svgOpen(width, axisY + 48, title);
  const colors = ["#bbccee", "#4477aa"];
  names.forEach((n, i) => {
    out.push(
      `<rect x="${left + i * 150}" y="32" width="12" height="12" fill="${colors[i]}"/>`,
      `<text x="${left + 18 + i * 150}" y="43">${esc(n)}</text>`,
    );
  });
  xAxis(out, left, plotW, axisY, top, ticks, xLabel);
  rows.forEach(([label, a, b], i) => {
    const y = top + i * rowH;
    out.push(`<text x="${left - 6}" y="${y + 18}" text-anchor="end">${esc(label)}</text>`);
    [a, b].forEach((v, k) => {
      const w = (v / max) * plotW;
      out.push(`<rect x="${left}" y="${y + 3 + k * 12}" width="${f1(w)}" height="11" fill="${colors[k]}"/>`);
      out.push(`<text x="${f1(left + w + 4)}" y="${y + 12 + k * 12}" font-size="10">${v}</text>`);
    });
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}

export interface RasterPanel {
  structure: string;
  /** per unit shown: its id and spike(trial, bin) */
  units: { id: number; spike: (trial: number, bin: number) => boolean }[];
  trials: number;
  /** mean spike probability per bin over all the structure's units and all trials */
  psth: number[];
  nUnits: number;
  nTrials: number;
}

/**
 * Trials × bins for a few units of each structure, each with the structure's PSTH under
 * it; the time axis in seconds from stimulus onset.
 */
/** Wider rasters are drawn with several bins to a column. */
const MAX_COLUMNS = 600;

export function rasterFigure(title: string, subtitle: string, time: number[], binWidth: number, panels: RasterPanel[]): string {
  const bins = time.length;
  // A long stimulus (a 120 s movie is 6 000 bins) is drawn in at most MAX_COLUMNS columns
  // of `group` bins: a spike anywhere in the group marks it, the PSTH is the group's mean.
  const group = Math.max(1, Math.ceil(bins / MAX_COLUMNS));
  const T = Math.ceil(bins / group);
  const left = 150,
    plotW = 620,
    width = left + plotW + 40;
  const cellW = plotW / Math.max(1, T);
  const trialH = 2,
    unitGap = 3,
    psthH = 46;
  // `time` holds bin centres: the axis runs from the first bin's left edge to the last's right
  const t0 = (time[0] ?? 0) - binWidth / 2,
    t1 = (time[bins - 1] ?? 0) + binWidth / 2;
  const xOf = (t: number) => left + ((t - t0) / Math.max(1e-12, t1 - t0)) * plotW;
  const blocks: string[] = [];
  let y = 52;
  for (const p of panels) {
    blocks.push(`<text x="10" y="${y + 12}" font-size="13" font-weight="bold">${esc(p.structure)}</text>`);
    blocks.push(
      `<text x="10" y="${y + 27}" font-size="10">${p.nUnits} unit${p.nUnits === 1 ? "" : "s"}, ${p.nTrials} trial${p.nTrials === 1 ? "" : "s"}</text>`,
    );
    for (const u of p.units) {
      blocks.push(`<text x="${left - 6}" y="${f1(y + (p.trials * trialH) / 2 + 4)}" text-anchor="end" font-size="10">unit ${u.id}</text>`);
      // trials × bins as a picture (a <rect> per spike would make megabytes at full scale)
      const px = new Uint8Array(T * p.trials).fill(247);
      for (let tr = 0; tr < p.trials; tr++) for (let b = 0; b < bins; b++) if (u.spike(tr, b)) px[tr * T + Math.floor(b / group)] = 0;
      const png = grayPng(Math.max(1, T), Math.max(1, p.trials), px).toString("base64");
      blocks.push(
        `<image x="${left}" y="${y}" width="${plotW}" height="${p.trials * trialH}" preserveAspectRatio="none" style="image-rendering:pixelated" href="data:image/png;base64,${png}"/>`,
      );
      y += p.trials * trialH + unitGap;
    }
    // PSTH under the rasters: a step line of the mean spike probability per bin
    const psth = Array.from({ length: T }, (_, c) => {
      const part = p.psth.slice(c * group, (c + 1) * group);
      return part.reduce((a, b) => a + b, 0) / Math.max(1, part.length);
    });
    const pmax = niceTicks(Math.max(1e-6, ...psth), 2);
    const top = pmax[pmax.length - 1]!;
    const base = y + psthH;
    let d = `M${f1(left)},${f1(base)}`;
    psth.forEach((v, b) => {
      const yy = base - (v / top) * (psthH - 4);
      d += ` L${f1(left + b * cellW)},${f1(yy)} L${f1(left + (b + 1) * cellW)},${f1(yy)}`;
    });
    d += ` L${f1(left + plotW)},${f1(base)}`;
    blocks.push(`<path d="${d}" fill="#bbccee" stroke="#4477aa"/>`);
    blocks.push(`<line x1="${left}" y1="${f1(base)}" x2="${left + plotW}" y2="${f1(base)}" stroke="#333"/>`);
    blocks.push(`<line x1="${left}" y1="${f1(base - psthH + 4)}" x2="${left}" y2="${f1(base)}" stroke="#333"/>`);
    blocks.push(`<text x="${left - 4}" y="${f1(base - psthH + 8)}" text-anchor="end" font-size="9">${tickText(top)}</text>`);
    blocks.push(`<text x="${left - 4}" y="${f1(base)}" text-anchor="end" font-size="9">0</text>`);
    blocks.push(`<text x="${left - 36}" y="${f1(base - psthH / 2 + 3)}" text-anchor="end" font-size="9">P(spike)</text>`);
    y = base + 18;
  }
  // the time axis, shared
  // ticks at round times from onset (0 s is the onset itself)
  const ticks = niceTicks(t1, 6).filter((v) => v >= t0 - 1e-9 && v <= t1 + 1e-9);
  const h = y + 50;
  const out = svgOpen(width, h, title);
  out.push(
    `<text x="${f1(width / 2)}" y="40" text-anchor="middle" font-size="11">${esc(subtitle)}${group > 1 ? ` (drawn ${group} bins to a column)` : ""}</text>`,
  );
  out.push(...blocks);
  out.push(`<line x1="${left}" y1="${y}" x2="${left + plotW}" y2="${y}" stroke="#333"/>`);
  for (const t of ticks) {
    out.push(`<line x1="${f1(xOf(t))}" y1="${y}" x2="${f1(xOf(t))}" y2="${y + 4}" stroke="#333"/>`);
    out.push(`<text x="${f1(xOf(t))}" y="${y + 16}" text-anchor="middle">${tickText(t)}</text>`);
  }
  out.push(`<text x="${f1(left + plotW / 2)}" y="${y + 34}" text-anchor="middle">time from stimulus onset (s)</text>`, "</svg>");
  return out.join("\n") + "\n";
}
