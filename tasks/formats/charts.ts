// The dataset's bar charts, as SVG: text, byte-deterministic (every number is printed with
// a fixed number of decimals), opens anywhere. The label column is as wide as the longest
// label, so no label runs into the bars or off the page.
import { esc, f1, niceTicks, svgOpen, textWidth, xAxis } from "./svg.js";

const labelColumn = (labels: string[], fontSize = 12) => Math.ceil(Math.max(60, ...labels.map((l) => textWidth(l, fontSize)))) + 16;
const valueRoom = (values: number[], fontSize: number) => Math.ceil(Math.max(...values.map((v) => textWidth(String(v), fontSize)), 0)) + 12;

/** Horizontal bars, one row per label, with an axis of ticks; each bar carries its number. */
export function barChart(title: string, xLabel: string, bars: [string, number][]): string {
  const rowH = 18,
    top = 40,
    left = labelColumn(bars.map(([l]) => l)),
    plotW = 500;
  const width = Math.max(
    left +
      plotW +
      valueRoom(
        bars.map(([, v]) => v),
        12,
      ),
    textWidth(title, 15) + 40,
  );
  const ticks = niceTicks(Math.max(1, ...bars.map(([, v]) => v)));
  const max = ticks[ticks.length - 1]!;
  const axisY = top + bars.length * rowH + 6;
  const out = svgOpen(Math.ceil(width), axisY + 48, title);
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
    top = 58,
    left = labelColumn(rows.map(([l]) => l)),
    plotW = 470;
  const width = Math.max(
    left +
      plotW +
      valueRoom(
        rows.flatMap(([, a, b]) => [a, b]),
        10,
      ),
    textWidth(title, 15) + 40,
  );
  const ticks = niceTicks(Math.max(1, ...rows.flatMap(([, a, b]) => [a, b])));
  const max = ticks[ticks.length - 1]!;
  const axisY = top + rows.length * rowH + 6;
  const out = svgOpen(Math.ceil(width), axisY + 48, title);
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
