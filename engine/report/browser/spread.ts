// Per task, the spread over its nodes of duration, CPU time and peak memory: a box plot
// (min–max whiskers, quartile box, median line) on one scale per measure, and the numbers.
export const SPREAD = String.raw`
(() => {
  const metrics = [["ms", "duration", secs], ["cpuMs", "CPU time", secs], ["maxRssMb", "peak RSS", mb]];
  const max = {}; for (const [k] of metrics) max[k] = Math.max(1e-9, ...D.spread.filter((s) => s[k]).map((s) => s[k][4]));
  const tbl = el("table", { id: "spread-table" });
  const head = el("tr", {}, el("th", {}, "task"), el("th", {}, "nodes"));
  for (const [, label] of metrics) head.append(el("th", {}, label + " (median, min–max)"));
  tbl.append(head);
  for (const s of D.spread) {
    if (!s.n) continue;
    const tr = el("tr", { "data-task": s.task }, el("td", {}, s.task), el("td", { class: "num" }, String(s.n)));
    for (const [k, , fmt] of metrics) {
      const f = s[k], td = el("td", {});
      if (f) {
        const W = 150, X = (v) => 2 + (v / max[k]) * (W - 4);
        const b = svg("svg", { width: W, height: 14, class: "box", "data-five": f.join(" ") });
        b.append(svg("line", { x1: X(f[0]), y1: 7, x2: X(f[4]), y2: 7, stroke: "#666" }), svg("rect", { x: X(f[1]), y: 2, width: Math.max(1, X(f[3]) - X(f[1])), height: 10, fill: taskColour.get(s.task), opacity: 0.7 }), svg("line", { x1: X(f[2]), y1: 1, x2: X(f[2]), y2: 13, stroke: "#000", "stroke-width": 2 }));
        b.append(svg("title", {}, "min " + fmt(f[0]) + ", quartiles " + fmt(f[1]) + " – " + fmt(f[3]) + ", median " + fmt(f[2]) + ", max " + fmt(f[4])));
        td.append(b, el("span", { class: "five" }, " " + fmt(f[2]) + " (" + fmt(f[0]) + "–" + fmt(f[4]) + ")"));
      }
      tr.append(td);
    }
    tbl.append(tr);
  }
  $("spread").append(tbl);
})();
`;
