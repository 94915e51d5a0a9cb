// The original dataset's summary plots, as SVG (text, deterministic, opens anywhere).

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function barChart(title: string, xLabel: string, bars: [string, number][]): string {
  const rowH = 18, left = 190, width = 760, top = 40;
  const max = Math.max(1, ...bars.map(([, v]) => v));
  const plotW = width - left - 70;
  const h = top + bars.length * rowH + 40;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`,
  ];
  bars.forEach(([label, v], i) => {
    const y = top + i * rowH;
    const w = Math.round((v / max) * plotW * 10) / 10;
    out.push(`<text x="${left - 6}" y="${y + 13}" text-anchor="end">${esc(label)}</text>`);
    out.push(`<rect x="${left}" y="${y + 2}" width="${w}" height="${rowH - 4}" fill="#4477aa"/>`);
    out.push(`<text x="${left + w + 4}" y="${y + 13}">${v}</text>`);
  });
  out.push(`<text x="${left + plotW / 2}" y="${h - 10}" text-anchor="middle">${esc(xLabel)}</text>`, "</svg>");
  return out.join("\n") + "\n";
}

/** A raster: one row per unit, one column per bin, presentations side by side. */
export function raster(title: string, bits: (u: number, col: number) => boolean, units: number, cols: number, presentationBins: number): string {
  const cell = Math.max(1, Math.min(6, Math.floor(900 / Math.max(1, cols))));
  const rowH = Math.max(2, Math.min(8, Math.floor(500 / Math.max(1, units))));
  const left = 50, top = 40;
  const w = left + cols * cell + 20, h = top + units * rowH + 40;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${w / 2}" y="22" text-anchor="middle" font-size="14">${esc(title)}</text>`,
  ];
  for (let u = 0; u < units; u++) {
    for (let c = 0; c < cols; c++) {
      if (bits(u, c)) out.push(`<rect x="${left + c * cell}" y="${top + u * rowH}" width="${cell}" height="${rowH}" fill="black"/>`);
    }
  }
  for (let c = presentationBins; c < cols; c += presentationBins) {
    out.push(`<line x1="${left + c * cell}" y1="${top}" x2="${left + c * cell}" y2="${top + units * rowH}" stroke="#cc3311" stroke-width="0.5"/>`);
  }
  out.push(`<text x="${left}" y="${h - 12}">bins of 20 ms; red lines separate presentations</text>`);
  out.push(`<text x="12" y="${top + (units * rowH) / 2}" transform="rotate(-90 12 ${top + (units * rowH) / 2})" text-anchor="middle">units</text>`, "</svg>");
  return out.join("\n") + "\n";
}
