// The task graph as laid out in the head (report/layout.ts): boxes coloured by the state
// of their nodes, edges along dagre's routes with arrowheads, scaled to the page's width.
// Clicking a task shows its nodes as a matrix over its first two foreach sets.
export const GRAPH = String.raw`
function taskState(t) {
  const ns = byTask.get(t) || [];
  if (ns.some((n) => n.outcome === "failed")) return "failed";
  const set = new Set(ns.map((n) => n.state));
  return set.size === 1 ? [...set][0] : set.size === 0 ? "never-run" : "mixed";
}
(() => {
  const G = D.graph;
  const root = svg("svg", { viewBox: "0 0 " + G.width + " " + G.height, width: G.width, id: "dag-svg", style: "width:100%;max-width:" + G.width + "px;height:auto" });
  const defs = svg("defs", {}), m = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
  m.append(svg("path", { d: "M0,0 L10,5 L0,10 z", fill: "#777" })); defs.append(m); root.append(defs);
  for (const e of G.edges) {
    const d = e.points.map((p, i) => (i ? "L" : "M") + p.x + "," + p.y).join(" ");
    root.append(svg("path", { class: "edge", d, "data-from": e.from, "data-to": e.to, "marker-end": "url(#arrow)" }));
  }
  for (const t of D.tasks) {
    const b = G.boxes[t.id], ns = byTask.get(t.id) || [];
    const g = svg("g", { class: "task", "data-task": t.id, transform: "translate(" + b.x + "," + b.y + ")" });
    g.append(svg("rect", { width: b.width, height: b.height, class: "s-" + taskState(t.id) }), svg("title", {}, (t.description || t.id) + " — " + ns.length + " nodes"));
    const done = ns.filter((n) => n.state === "up-to-date").length;
    g.append(svg("text", { x: 8, y: 18 }, t.id), svg("text", { x: 8, y: 35 }, ns.length + " node" + (ns.length === 1 ? "" : "s") + " · " + done + " up to date"));
    g.addEventListener("click", () => showTask(t.id));
    root.append(g);
  }
  const legend = el("div", { class: "legend" });
  for (const s of [...STATES, "failed"]) legend.append(el("span", { class: "s-" + s }), s);
  $("dag").append(root, legend);
})();
function showTask(task) {
  document.querySelectorAll(".task").forEach((g) => g.classList.toggle("sel", g.getAttribute("data-task") === task));
  const box = $("task-nodes"); box.textContent = "";
  const t = D.tasks.find((x) => x.id === task), ns = byTask.get(task) || [];
  box.append(el("h3", {}, task + " — " + ns.length + " nodes"));
  const [rk, ck] = t.foreach;
  const rows = rk ? [...new Set(ns.map((n) => n.vars[rk]))] : [""];
  const cols = ck ? [...new Set(ns.map((n) => n.vars[ck]))] : [""];
  const tbl = el("table", { class: "matrix", id: "matrix" });
  const head = el("tr", {}, el("th", {}, rk && ck ? rk + " \\ " + ck : rk || ""));
  for (const c of cols) head.append(el("th", {}, c));
  tbl.append(head);
  const at = new Map(ns.map((n) => [(rk ? n.vars[rk] : "") + "|" + (ck ? n.vars[ck] : ""), n]));
  const detail = el("div", { id: "node-detail" });
  for (const r of rows) {
    const tr = el("tr", {}, el("th", {}, r || task));
    for (const c of cols) {
      const n = at.get(r + "|" + c), td = el("td", {});
      if (n) {
        const cell = el("span", { class: "cell node-cell s-" + (n.outcome === "failed" ? "failed" : n.state), title: n.id + ": " + n.state, "data-node": n.id });
        cell.addEventListener("click", () => { detail.textContent = n.id + "\nstate: " + n.state + (n.reasons.length ? "\nwhy: " + n.reasons.join("; ") : "") + (n.outcome ? "\nlast run: " + n.outcome : "") + (n.exec ? "\nlast execution: " + secs(n.exec.ms) + (n.exec.run ? " in run " + n.exec.run : "") : ""); });
        td.append(cell);
      }
      tr.append(td);
    }
    tbl.append(tr);
  }
  box.append(tbl, detail);
}
`;
