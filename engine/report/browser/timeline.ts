// The timeline: one lane per worker or cluster job, one bar per execution coloured by its
// task (legend under it), the node and its duration on the bar where it fits and in its
// tooltip always, a time axis in seconds from the first start.
export const TIMELINE = String.raw`
(() => {
  const T = D.timeline, box = $("timeline");
  if (T.note) box.append(el("p", { class: "note", id: "timeline-note" }, T.note));
  if (!T.items.length) { if (!T.note) box.append(el("p", {}, "Nothing executed.")); return; }
  const t0 = Math.min(...T.items.map((n) => n.start)), t1 = Math.max(...T.items.map((n) => n.end));
  const span = Math.max(1, t1 - t0);
  const lanes = [...new Set(T.items.map((n) => n.lane || "?"))].sort();
  const varsOf = new Map(D.nodes.map((n) => [n.id, n.vars]));
  const L = 150, W = 860, RH = 22, top = 28, width = L + W + 20, height = top + lanes.length * RH + 8;
  const root = svg("svg", { viewBox: "0 0 " + width + " " + height, width, id: "timeline-svg", style: "width:100%;max-width:" + width + "px;height:auto" });
  const x = (t) => L + ((t - t0) / span) * W;
  const ticks = niceTicks(span / 1000, 8).filter((s) => s * 1000 <= span * 1.0001);
  for (const s of ticks) {
    const xx = x(t0 + s * 1000);
    root.append(svg("line", { x1: xx, y1: top - 4, x2: xx, y2: height - 4, class: "grid" }), svg("text", { x: xx, y: top - 8, class: "tick", "text-anchor": "middle" }, s + " s"));
  }
  lanes.forEach((l, i) => root.append(svg("text", { x: L - 6, y: top + i * RH + 15, class: "lane", "text-anchor": "end" }, l)));
  for (const n of T.items) {
    const i = lanes.indexOf(n.lane || "?"), bx = x(n.start), bw = Math.max(1, x(n.end) - bx);
    const g = svg("g", { class: "bar-group" });
    const r = svg("rect", { x: bx, y: top + i * RH, width: bw, height: RH - 4, class: "bar " + n.outcome, fill: taskColour.get(n.task) || "#888", "data-node": n.id, "data-task": n.task });
    r.append(svg("title", {}, n.id + " — " + secs(n.ms) + (n.cpuMs !== undefined ? ", CPU " + secs(n.cpuMs) : "") + (n.maxRssMb ? ", " + mb(n.maxRssMb) : "") + (n.outcome === "failed" ? " — failed" : "")));
    g.append(r);
    const vals = Object.values(varsOf.get(n.id) || {});
    const label = (vals.length ? vals.join(" · ") : n.task) + " " + secs(n.ms);
    if (bw > label.length * 6 + 8) g.append(svg("text", { x: bx + 4, y: top + i * RH + 13, class: "bar-label" }, label));
    root.append(g);
  }
  const legend = el("div", { class: "legend", id: "timeline-legend" });
  for (const t of D.tasks) if (T.items.some((n) => n.task === t.id)) legend.append(el("span", { style: "background:" + taskColour.get(t.id) }), t.id);
  box.append(root, legend);
})();
`;
