// SVG building blocks shared by the figures: escaping, fixed-decimal numbers (the same
// data give the same bytes), axes with round ticks, and labels that never overlap — a
// label that would overlap the one before it is left out, never drawn on top of it.

export const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
export const f1 = (x: number) => (Math.round(x * 10) / 10).toFixed(1);
/** A value written into a data- attribute: six significant digits, fixed for the same input. */
export const num = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(6))) : "NaN");

/** Width of a label in px: sans-serif glyphs average under 0.6 em (the layout reserves this much). */
export const textWidth = (s: string, fontSize = 12) => [...s].length * fontSize * 0.6;

/** Tick values 0, step, 2·step … covering max, with step 1, 2 or 5 × 10^k (about `target` ticks). */
export function niceTicks(max: number, target = 5): number[] {
  if (!(max > 0)) return [0, 1];
  return rangeTicks(0, max, target);
}

/** Round ticks covering lo…hi (lo ≤ 0 ≤ hi need not hold), step 1, 2 or 5 × 10^k. */
export function rangeTicks(lo: number, hi: number, target = 5): number[] {
  if (!(hi > lo)) {
    const c = Number.isFinite(lo) ? lo : 0;
    return [c - 1, c, c + 1].map((v) => Number(v.toPrecision(12)));
  }
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const first = Math.floor(lo / step + 1e-9) * step;
  const out: number[] = [];
  for (let v = first; v < hi + step * (1 - 1e-9); v += step) out.push(Number(v.toPrecision(12)));
  if (out[out.length - 1]! < hi) out.push(Number((out[out.length - 1]! + step).toPrecision(12)));
  return out;
}

export const tickText = (v: number) => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6))));

export function svgOpen(w: number, h: number, title: string): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${f1(w / 2)}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`,
  ];
}

/**
 * A horizontal axis from x0 to x0+width at y, with grid lines up to yTop and a label under
 * it. The axis spans `domain` (default: the ticks' range); ticks outside it are not drawn.
 */
export function xAxis(
  out: string[],
  x0: number,
  width: number,
  y: number,
  yTop: number,
  ticks: number[],
  label: string,
  fontSize = 12,
  domain: [number, number] = [ticks[0]!, ticks[ticks.length - 1]!],
) {
  const [lo, hi] = domain;
  const xOf = (t: number) => x0 + ((t - lo) / (hi - lo)) * width;
  const inside = ticks.filter((t) => t >= lo - 1e-9 * Math.abs(hi - lo) && t <= hi + 1e-9 * Math.abs(hi - lo));
  out.push(`<line x1="${f1(x0)}" y1="${f1(y)}" x2="${f1(x0 + width)}" y2="${f1(y)}" stroke="#333"/>`);
  const shown = spaced(
    inside.map((t) => ({ at: xOf(t), text: tickText(t) })),
    (a, b) => b.at - a.at >= (textWidth(a.text, fontSize) + textWidth(b.text, fontSize)) / 2 + 4,
  );
  for (const t of inside) {
    const x = xOf(t);
    out.push(`<line x1="${f1(x)}" y1="${f1(yTop)}" x2="${f1(x)}" y2="${f1(y)}" stroke="#e4e4e4"/>`);
    out.push(`<line x1="${f1(x)}" y1="${f1(y)}" x2="${f1(x)}" y2="${f1(y + 4)}" stroke="#333"/>`);
  }
  for (const t of shown)
    out.push(`<text x="${f1(t.at)}" y="${f1(y + 4 + fontSize)}" text-anchor="middle" font-size="${fontSize}">${esc(t.text)}</text>`);
  if (label)
    out.push(`<text x="${f1(x0 + width / 2)}" y="${f1(y + 10 + 2.4 * fontSize)}" text-anchor="middle" font-size="${fontSize}">${esc(label)}</text>`);
}

/**
 * A vertical axis at x0 from yBottom (value ticks[0]) up to yTop (value ticks[last]), tick
 * labels right-aligned left of it; labels closer than a line apart are left out.
 */
export function yAxis(out: string[], x0: number, yBottom: number, yTop: number, ticks: number[], fontSize = 9, grid?: { x1: number }) {
  const lo = ticks[0]!,
    hi = ticks[ticks.length - 1]!;
  const yOf = (v: number) => yBottom - ((v - lo) / (hi - lo)) * (yBottom - yTop);
  out.push(`<line x1="${f1(x0)}" y1="${f1(yTop)}" x2="${f1(x0)}" y2="${f1(yBottom)}" stroke="#333"/>`);
  const marks = ticks.map((t) => ({ at: yOf(t), text: tickText(t) }));
  // bottom-up: the lowest label first, each next one at least a line above the last shown
  const shown = spaced(marks, (a, b) => a.at - b.at >= fontSize + 1);
  for (const m of marks) {
    out.push(`<line x1="${f1(x0 - 3)}" y1="${f1(m.at)}" x2="${f1(x0)}" y2="${f1(m.at)}" stroke="#333"/>`);
    if (grid) out.push(`<line x1="${f1(x0)}" y1="${f1(m.at)}" x2="${f1(grid.x1)}" y2="${f1(m.at)}" stroke="#eeeeee"/>`);
  }
  for (const m of shown)
    out.push(`<text x="${f1(x0 - 5)}" y="${f1(m.at + fontSize / 3)}" text-anchor="end" font-size="${fontSize}">${esc(m.text)}</text>`);
  return yOf;
}

/** Keeps items in order, each one only if it is far enough from the last one kept (`apart(last, next)`). */
export function spaced<T>(items: T[], apart: (last: T, next: T) => boolean): T[] {
  const kept: T[] = [];
  for (const it of items) if (kept.length === 0 || apart(kept[kept.length - 1]!, it)) kept.push(it);
  return kept;
}

/** Means of consecutive groups of `group` values (long stimuli are drawn at most a few hundred columns wide). */
export function columns(values: ArrayLike<number>, group: number): number[] {
  const out: number[] = [];
  for (let c = 0; c * group < values.length; c++) {
    let s = 0,
      n = 0;
    for (let k = c * group; k < Math.min(values.length, (c + 1) * group); k++) {
      if (Number.isFinite(values[k]!)) {
        s += values[k]!;
        n++;
      }
    }
    out.push(n ? s / n : NaN);
  }
  return out;
}

/** The header lines under the title (centred, font-size 11) and the width that holds them and the title. */
export function headerLines(minWidth: number, title: string, lines: string[]): { width: number; draw: (out: string[]) => void } {
  const width = Math.ceil(Math.max(minWidth, textWidth(title, 15) + 20, ...lines.map((l) => textWidth(l, 11) + 20)));
  return {
    width,
    draw: (out) =>
      lines.forEach((l, i) => out.push(`<text x="${f1(width / 2)}" y="${40 + 16 * i}" text-anchor="middle" font-size="11">${esc(l)}</text>`)),
  };
}

/** A figure that only says why there is nothing to draw. */
export function emptyFigure(title: string): string {
  const w = Math.ceil(Math.max(400, textWidth(title, 15) + 40));
  return [...svgOpen(w, 40, title), "</svg>"].join("\n") + "\n";
}
