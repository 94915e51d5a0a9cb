// `flow report`: one self-contained HTML page — no network, CSS and JS inline, opens from
// disk. A bar of links at the top; the failures of the last run first (with their error
// and the tail of their output, in the HTML itself); then the task graph, the timeline,
// the spread per task, the nodes, the params and the pipeline's own section, drawn by the
// page's script from the data it carries as JSON (model.ts).
import type { ReportData } from "./model.js";
import { COMMON } from "./browser/common.js";
import { SUMMARY } from "./browser/summary.js";
import { GRAPH } from "./browser/graph.js";
import { TIMELINE } from "./browser/timeline.js";
import { SPREAD } from "./browser/spread.js";
import { TABLES } from "./browser/tables.js";

export type { ReportData } from "./model.js";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function failures(d: ReportData): string {
  if (!d.failures.length) return "";
  const items = d.failures.map(
    (f) =>
      `<li class="failure" data-node="${esc(f.id)}"><div><b>${esc(f.id)}</b>${f.reason ? ` <span class="hint">(${esc(f.reason)})</span>` : ""}</div>` +
      `<pre class="error">${esc(f.error)}</pre>` +
      (f.tail
        ? `<details open><summary>the last lines it printed</summary><pre class="tail">${esc(f.tail)}</pre></details>`
        : `<p class="hint">It printed nothing.</p>`) +
      `</li>`,
  );
  return `<section id="failures"><h2>Failed in the last run (${d.failures.length})</h2><ol>${items.join("")}</ol></section>`;
}

export function reportHtml(d: ReportData): string {
  // JSON inside <script>: "<" is escaped so no string can close the element; the pipeline's
  // section is in the page itself, not again in the data
  const json = JSON.stringify({ ...d, section: undefined }).replace(/</g, "\\u003c");
  const links: [id: string, label: string][] = [];
  if (d.failures.length) links.push(["failures", `Failures (${d.failures.length})`]);
  links.push(
    ["tasks", "Tasks"],
    ["timeline-section", "Timeline"],
    ["spread-section", "Per task"],
    ["nodes-section", "Nodes"],
    ["params-section", "Params"],
  );
  if (d.section) links.push(["pipeline-section", d.section.title]);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(d.title)}</title>
<style>${CSS}</style></head>
<body>
<header><h1>${esc(d.title)}</h1><div id="summary"></div></header>
<nav id="toc">${links.map(([id, label]) => `<a href="#${id}">${esc(label)}</a>`).join("")}</nav>
<main>
${failures(d)}
<section id="tasks"><h2>Tasks</h2><p class="hint">Colour: the state of a task's nodes now. Click a task for its nodes.</p><div id="dag"></div><div id="task-nodes"></div></section>
<section id="timeline-section"><h2>Timeline${d.timeline.run ? ` of run ${esc(d.timeline.run)}` : ""}</h2><div id="timeline"></div></section>
<section id="spread-section"><h2>Per task: duration, CPU time and peak memory of its nodes</h2><p class="hint">Over each node's last execution. Box: the middle half; line: the median; whiskers: min and max.</p><div id="spread"></div></section>
<section id="nodes-section"><h2>Nodes</h2><p class="hint">Click a column to sort.</p><div id="table"></div></section>
<section id="params-section"><h2>Params</h2><div id="params"></div></section>
${d.section ? `<section id="pipeline-section"><h2>${esc(d.section.title)}</h2>${d.section.html}</section>` : ""}
</main>
<footer>flow report · ${esc(d.generated)}</footer>
<script type="application/json" id="data">${json}</script>
<script>${COMMON}${SUMMARY}${GRAPH}${TIMELINE}${SPREAD}${TABLES}</script>
</body></html>
`;
}

const CSS = `
:root{--ok:#3a9d5d;--restored:#5b8def;--stale:#e69f00;--never:#b9b9b9;--failed:#d64545;--skipped:#999}
html{scroll-padding-top:48px}
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#23395b;color:#fff;padding:14px 24px}header h1{margin:0 0 6px;font-size:20px}
#summary span{display:inline-block;margin-right:18px}
nav#toc{position:sticky;top:0;z-index:2;background:#fff;border-bottom:1px solid #ddd;padding:8px 24px}nav#toc a{margin-right:18px;color:#23395b;text-decoration:none;font-weight:600}
main{padding:8px 24px}section{background:#fff;border:1px solid #ddd;border-radius:6px;margin:14px 0;padding:10px 16px;overflow-x:auto}
h2{font-size:16px;margin:4px 0 8px}.hint{color:#666;margin:0 0 8px;font-size:12px}.note{background:#fff8e1;padding:6px 10px;border-radius:4px}
#failures{border-color:var(--failed)}#failures h2{color:var(--failed)}.failure{margin:6px 0 12px}
pre{margin:4px 0;padding:6px 8px;background:#f6f6f6;border-radius:4px;white-space:pre-wrap;font-size:12px}pre.error{background:#fdecec}
.task rect{stroke:#333;stroke-width:1;cursor:pointer;rx:5}.task text{font-size:12px;pointer-events:none}
.task.sel rect{stroke-width:3}.edge{fill:none;stroke:#777;stroke-width:1.3}
.s-up-to-date{fill:var(--ok);background:var(--ok)}.s-restorable{fill:var(--restored);background:var(--restored)}
.s-stale{fill:var(--stale);background:var(--stale)}.s-never-run{fill:var(--never);background:var(--never)}
.s-failed{fill:var(--failed);background:var(--failed)}.s-mixed{fill:#f3d27a}
table{border-collapse:collapse;font-size:12px}th,td{border-bottom:1px solid #eee;padding:3px 8px;text-align:left;vertical-align:top}
th{cursor:pointer;background:#f3f3f3;position:sticky;top:0}#nodes td{white-space:nowrap}#nodes td.why{white-space:normal;min-width:200px}td.num{text-align:right;font-variant-numeric:tabular-nums}
.controls{margin:0 0 8px}.controls input,.controls select{font:inherit;padding:2px 6px}
.matrix td{padding:0;border:1px solid #fff}.cell{width:16px;height:16px;display:block;cursor:pointer}
#node-detail{margin-top:8px;font-size:12px;white-space:pre-wrap}
.bar{stroke:#fff;stroke-width:.5}.bar.failed{stroke:var(--failed);stroke-width:2}.bar-label{font-size:10px;fill:#fff;pointer-events:none}
.lane,.tick{font-size:11px;fill:#444}.grid{stroke:#eee}
svg.box{vertical-align:middle}.five{font-size:11px;color:#444}
tr.changed td{background:#fff4d6}.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}
#pipeline-section figure{margin:8px 0}#pipeline-section figure svg{max-width:100%;height:auto;border:1px solid #eee}#pipeline-section summary{cursor:pointer;margin:6px 0}
footer{color:#888;font-size:12px;padding:8px 24px 24px}
`;
