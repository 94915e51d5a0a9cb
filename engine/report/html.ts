// `flow report`: one self-contained HTML page — no network, CSS and JS inline, opens
// from disk. The data goes in as JSON; a small script draws the task graph (coloured by
// state; a task's nodes as a matrix on click, usable at 10³ nodes), the timeline of the
// last run (one lane per worker or cluster job), a sortable node table, the params with
// what changed since the run before, and the section the pipeline contributes.

export interface ReportNode {
  id: string;
  task: string;
  vars: Record<string, string>;
  state: string;
  reasons: string[];
  /** what the last run did to it, and what it cost */
  outcome?: string;
  ms?: number;
  cpuMs?: number;
  maxRssMb?: number;
  lane?: string;
  start?: number;
  end?: number;
  error?: string;
}
export interface ReportTask {
  id: string;
  description?: string;
  layer: number;
  deps: string[];
  foreach: string[];
}
export interface ReportData {
  title: string;
  generated: string;
  run?: { id: string; status: string; argv: string[]; executor: string; start: string; wallMs?: number; counts?: Record<string, number> };
  tasks: ReportTask[];
  nodes: ReportNode[];
  params: { name: string; value: unknown; previous?: unknown; changed: boolean }[];
  previousRun?: string;
  section?: { title: string; html: string };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function reportHtml(d: ReportData): string {
  // JSON inside <script>: "<" is escaped so no string can close the element
  const json = JSON.stringify(d).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(d.title)}</title>
<style>${CSS}</style></head>
<body>
<header><h1>${esc(d.title)}</h1><div id="summary"></div></header>
<main>
<section><h2>Tasks</h2><p class="hint">Colour: the state of a task's nodes now. Click a task for its nodes.</p><div id="dag"></div><div id="task-nodes"></div></section>
<section><h2>Timeline of the last run</h2><div id="timeline"></div></section>
<section><h2>Nodes</h2><p class="hint">Click a column to sort.</p><div id="table"></div></section>
<section><h2>Params</h2><div id="params"></div></section>
${d.section ? `<section id="pipeline-section"><h2>${esc(d.section.title)}</h2>${d.section.html}</section>` : ""}
</main>
<footer>flow report · ${esc(d.generated)}</footer>
<script type="application/json" id="data">${json}</script>
<script>${JS}</script>
</body></html>
`;
}

const CSS = `
:root{--ok:#3a9d5d;--restored:#5b8def;--stale:#e69f00;--never:#b9b9b9;--failed:#d64545;--skipped:#999}
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#23395b;color:#fff;padding:14px 24px}header h1{margin:0 0 6px;font-size:20px}
#summary span{display:inline-block;margin-right:18px}
main{padding:8px 24px}section{background:#fff;border:1px solid #ddd;border-radius:6px;margin:14px 0;padding:10px 16px;overflow-x:auto}
h2{font-size:16px;margin:4px 0 8px}.hint{color:#666;margin:0 0 8px;font-size:12px}
.task rect{stroke:#333;stroke-width:1;cursor:pointer;rx:5}.task text{font-size:12px;pointer-events:none}
.task.sel rect{stroke-width:3}.edge{fill:none;stroke:#888;stroke-width:1.2}
.s-up-to-date{fill:var(--ok);background:var(--ok)}.s-restorable{fill:var(--restored);background:var(--restored)}
.s-stale{fill:var(--stale);background:var(--stale)}.s-never-run{fill:var(--never);background:var(--never)}
.s-failed{fill:var(--failed);background:var(--failed)}.s-mixed{fill:#f3d27a}
table{border-collapse:collapse;font-size:12px}th,td{border-bottom:1px solid #eee;padding:3px 8px;text-align:left;vertical-align:top}
th{cursor:pointer;background:#f3f3f3;position:sticky;top:0}td.num{text-align:right;font-variant-numeric:tabular-nums}
.matrix td{padding:0;border:1px solid #fff}.cell{width:16px;height:16px;display:block;cursor:pointer}
#node-detail{margin-top:8px;font-size:12px;white-space:pre-wrap}
.bar{stroke:#fff;stroke-width:.5}.bar.ran{fill:var(--ok)}.bar.failed{fill:var(--failed)}.lane{font-size:11px}
tr.changed td{background:#fff4d6}.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}
#pipeline-section figure{margin:8px 0}#pipeline-section figure svg{max-width:100%;height:auto;border:1px solid #eee}#pipeline-section summary{cursor:pointer;margin:6px 0}
footer{color:#888;font-size:12px;padding:8px 24px 24px}
`;

// Plain browser JavaScript (no build step, no network).
const JS = String.raw`
"use strict";
const D = JSON.parse(document.getElementById("data").textContent);
const $ = (id) => document.getElementById(id);
const el = (tag, attrs, ...kids) => { const e = document.createElement(tag); for (const k in attrs || {}) e.setAttribute(k, attrs[k]); for (const c of kids) e.append(c); return e; };
const svg = (tag, attrs) => { const e = document.createElementNS("http://www.w3.org/2000/svg", tag); for (const k in attrs || {}) e.setAttribute(k, attrs[k]); return e; };
const secs = (ms) => ms === undefined ? "" : (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + " s";
const STATES = ["up-to-date", "restorable", "stale", "never-run"];

// Summary
(() => {
  const s = $("summary"), r = D.run;
  const counts = {}; for (const n of D.nodes) counts[n.state] = (counts[n.state] || 0) + 1;
  const now = STATES.filter((k) => counts[k]).map((k) => counts[k] + " " + k).join(", ");
  if (!r) { s.append(el("span", {}, "No run recorded yet. Now: " + now)); return; }
  const c = r.counts || {};
  s.append(el("span", {}, "Last run " + r.id + ": " + r.status), el("span", {}, "wall " + secs(r.wallMs)),
    el("span", {}, (c.ran || 0) + " ran, " + (c.restored || 0) + " restored, " + (c.upToDate || 0) + " up to date, " + (c.failed || 0) + " failed"),
    el("span", {}, "executor " + r.executor), el("span", {}, "flow " + r.argv.join(" ")), el("span", {}, "Now: " + now));
})();

// Task graph: columns by topological generation
const byTask = new Map(D.tasks.map((t) => [t.id, []]));
for (const n of D.nodes) (byTask.get(n.task) || byTask.set(n.task, []).get(n.task)).push(n);
function taskState(t) {
  const ns = byTask.get(t) || [];
  if (ns.some((n) => n.outcome === "failed")) return "failed";
  const set = new Set(ns.map((n) => n.state));
  return set.size === 1 ? [...set][0] : set.size === 0 ? "never-run" : "mixed";
}
(() => {
  const W = 190, H = 44, GX = 70, GY = 18;
  const cols = new Map(); for (const t of D.tasks) (cols.get(t.layer) || cols.set(t.layer, []).get(t.layer)).push(t);
  const pos = new Map(); let maxRows = 0;
  for (const [layer, ts] of cols) { ts.forEach((t, i) => pos.set(t.id, { x: 10 + layer * (W + GX), y: 10 + i * (H + GY) })); maxRows = Math.max(maxRows, ts.length); }
  const width = 20 + cols.size * (W + GX), height = 20 + maxRows * (H + GY);
  const root = svg("svg", { width, height, viewBox: "0 0 " + width + " " + height, id: "dag-svg" });
  for (const t of D.tasks) for (const d of t.deps) {
    const a = pos.get(d), b = pos.get(t.id); if (!a || !b) continue;
    const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2;
    root.append(svg("path", { class: "edge", d: "M" + x1 + "," + y1 + " C" + (x1 + GX / 2) + "," + y1 + " " + (x2 - GX / 2) + "," + y2 + " " + x2 + "," + y2 }));
  }
  for (const t of D.tasks) {
    const p = pos.get(t.id), ns = byTask.get(t.id) || [];
    const g = svg("g", { class: "task", "data-task": t.id, transform: "translate(" + p.x + "," + p.y + ")" });
    const r = svg("rect", { width: W, height: H, class: "s-" + taskState(t.id) });
    const title = svg("title", {}); title.textContent = (t.description || t.id) + " — " + ns.length + " nodes";
    const a = svg("text", { x: 8, y: 18 }); a.textContent = t.id;
    const done = ns.filter((n) => n.state === "up-to-date").length;
    const b = svg("text", { x: 8, y: 35 }); b.textContent = ns.length + " node" + (ns.length === 1 ? "" : "s") + " · " + done + " up to date";
    g.append(r, title, a, b);
    g.addEventListener("click", () => showTask(t.id));
    root.append(g);
  }
  const legend = el("div", { class: "legend" });
  for (const s of [...STATES, "failed"]) legend.append(el("span", { class: "s-" + s }), s);
  $("dag").append(root, legend);
})();

// A task's nodes: a matrix over its first two foreach sets (58 sessions × 10 stimuli fit one screen)
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
      const n = at.get(r + "|" + c);
      const td = el("td", {});
      if (n) {
        const cell = el("span", { class: "cell node-cell s-" + (n.outcome === "failed" ? "failed" : n.state), title: n.id + ": " + n.state, "data-node": n.id });
        cell.addEventListener("click", () => { detail.textContent = n.id + "\nstate: " + n.state + (n.reasons.length ? "\nwhy: " + n.reasons.join("; ") : "") + (n.outcome ? "\nlast run: " + n.outcome + " " + secs(n.ms) : "") + (n.error ? "\nerror: " + n.error : ""); });
        td.append(cell);
      }
      tr.append(td);
    }
    tbl.append(tr);
  }
  box.append(tbl, detail);
}

// Timeline: one lane per worker / cluster job; one bar per node that ran or failed
(() => {
  const ran = D.nodes.filter((n) => (n.outcome === "ran" || n.outcome === "failed") && n.start !== undefined);
  const box = $("timeline");
  if (!ran.length) { box.append(el("p", {}, "The last run executed no node.")); return; }
  const t0 = Math.min(...ran.map((n) => n.start)), t1 = Math.max(...ran.map((n) => n.end));
  const lanes = [...new Set(ran.map((n) => n.lane || "?"))].sort();
  const L = 130, W = 900, RH = 18, span = Math.max(1, t1 - t0);
  const root = svg("svg", { width: L + W + 20, height: 30 + lanes.length * RH, id: "timeline-svg" });
  lanes.forEach((l, i) => { const t = svg("text", { x: 4, y: 14 + i * RH + 12, class: "lane" }); t.textContent = l; root.append(t); });
  for (const n of ran) {
    const i = lanes.indexOf(n.lane || "?");
    const x = L + ((n.start - t0) / span) * W, w = Math.max(1, ((n.end - n.start) / span) * W);
    const r = svg("rect", { x, y: 14 + i * RH, width: w, height: RH - 3, class: "bar " + n.outcome, "data-node": n.id });
    const title = svg("title", {}); title.textContent = n.id + " — " + secs(n.ms) + (n.maxRssMb ? ", " + n.maxRssMb + " MB" : "");
    r.append(title); root.append(r);
  }
  const axis = svg("text", { x: L, y: 12, class: "lane" }); axis.textContent = "0 s … " + secs(span);
  root.append(axis);
  box.append(root);
})();

// Sortable node table
(() => {
  const cols = [["id", "node"], ["task", "task"], ["state", "state"], ["outcome", "last run"], ["reasons", "why stale"], ["ms", "duration"], ["cpuMs", "CPU"], ["maxRssMb", "peak RSS (MB)"]];
  const tbl = el("table", { id: "nodes" });
  const head = el("tr");
  let key = "id", dir = 1;
  const body = el("tbody");
  const fill = () => {
    const rows = [...D.nodes].sort((a, b) => { const x = a[key], y = b[key]; return (x === undefined) - (y === undefined) || (x < y ? -dir : x > y ? dir : 0); });
    body.textContent = "";
    for (const n of rows.slice(0, 5000)) {
      body.append(el("tr", {}, el("td", {}, n.id), el("td", {}, n.task), el("td", {}, n.state), el("td", {}, n.outcome || ""),
        el("td", {}, n.reasons.join("; ")), el("td", { class: "num" }, secs(n.ms)), el("td", { class: "num" }, secs(n.cpuMs)), el("td", { class: "num" }, n.maxRssMb === undefined ? "" : String(n.maxRssMb))));
    }
  };
  for (const [k, label] of cols) {
    const th = el("th", { "data-key": k }, label);
    th.addEventListener("click", () => { dir = key === k ? -dir : 1; key = k; fill(); });
    head.append(th);
  }
  tbl.append(el("thead", {}, head), body);
  fill();
  $("table").append(tbl);
})();

// Params, and what changed against the run before
(() => {
  const tbl = el("table", { id: "params-table" });
  tbl.append(el("tr", {}, el("th", {}, "param"), el("th", {}, "value"), el("th", {}, D.previousRun ? "in the run before (" + D.previousRun + ")" : "run before")));
  for (const p of D.params) {
    tbl.append(el("tr", { class: p.changed ? "changed" : "" }, el("td", {}, p.name), el("td", {}, JSON.stringify(p.value)), el("td", {}, p.changed ? JSON.stringify(p.previous) : "")));
  }
  $("params").append(tbl);
})();
`;
