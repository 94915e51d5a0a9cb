// The node table (a filter, a task choice, sortable columns; at most 1000 rows drawn, the
// count of all that match said) and the params with what changed since the run before.
export const TABLES = String.raw`
(() => {
  const cols = [["id", "node"], ["task", "task"], ["state", "state"], ["outcome", "last run"], ["reasons", "why stale"], ["ms", "duration"], ["cpuMs", "CPU"], ["maxRssMb", "peak RSS"], ["run", "executed in run"]];
  const order = new Map(D.tasks.map((t, i) => [t.id, i]));
  const value = (n, k) => k === "ms" || k === "cpuMs" || k === "maxRssMb" || k === "run" ? (n.exec ? n.exec[k] : undefined) : k === "reasons" ? n.reasons.join("; ") : k === "task" ? order.get(n.task) : n[k];
  const filter = el("input", { id: "node-filter", type: "search", placeholder: "filter: part of a node id, a state, an outcome…", size: 40 });
  const pick = el("select", { id: "node-task" }, el("option", { value: "" }, "every task"));
  for (const t of D.tasks) pick.append(el("option", { value: t.id }, t.id + " (" + (byTask.get(t.id) || []).length + ")"));
  const count = el("span", { id: "node-count", class: "hint" });
  const tbl = el("table", { id: "nodes" }), head = el("tr"), body = el("tbody");
  let key = "task", dir = 1;
  const fill = () => {
    const q = filter.value.trim().toLowerCase(), task = pick.value;
    const rows = D.nodes.filter((n) => (!task || n.task === task) && (!q || [n.id, n.state, n.outcome || "", n.reasons.join(" ")].some((s) => s.toLowerCase().includes(q))))
      .sort((a, b) => { const x = value(a, key), y = value(b, key); return (x === undefined) - (y === undefined) || (x < y ? -dir : x > y ? dir : 0) || (a.id < b.id ? -1 : 1); });
    body.textContent = "";
    for (const n of rows.slice(0, 1000)) {
      const e = n.exec || {};
      body.append(el("tr", { "data-node": n.id }, el("td", {}, n.id), el("td", {}, n.task), el("td", {}, n.state), el("td", {}, n.outcome || ""), el("td", { class: "why" }, n.reasons.join("; ")),
        el("td", { class: "num" }, secs(e.ms)), el("td", { class: "num" }, secs(e.cpuMs)), el("td", { class: "num" }, mb(e.maxRssMb)), el("td", {}, (e.run || "") + (e.earlier ? " (earlier)" : ""))));
    }
    count.textContent = " " + rows.length + " of " + D.nodes.length + " nodes" + (rows.length > 1000 ? ", the first 1000 shown" : "");
  };
  for (const [k, label] of cols) {
    const th = el("th", { "data-key": k }, label);
    th.addEventListener("click", () => { dir = key === k ? -dir : 1; key = k; fill(); });
    head.append(th);
  }
  filter.addEventListener("input", fill); pick.addEventListener("change", fill);
  tbl.append(el("thead", {}, head), body);
  fill();
  $("table").append(el("div", { class: "controls" }, filter, " ", pick, count), tbl);
})();
(() => {
  const tbl = el("table", { id: "params-table" });
  tbl.append(el("tr", {}, el("th", {}, "param"), el("th", {}, "value"), el("th", {}, D.previousRun ? "in the run before (" + D.previousRun + ")" : "run before")));
  for (const p of D.params) tbl.append(el("tr", { class: p.changed ? "changed" : "" }, el("td", {}, p.name), el("td", {}, JSON.stringify(p.value)), el("td", {}, p.changed ? JSON.stringify(p.previous) : "")));
  $("params").append(tbl);
})();
`;
