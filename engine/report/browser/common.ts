// The page's shared helpers (plain browser JavaScript: no build step, no network).
export const COMMON = String.raw`
"use strict";
const D = JSON.parse(document.getElementById("data").textContent);
const $ = (id) => document.getElementById(id);
const el = (tag, attrs, ...kids) => { const e = document.createElement(tag); for (const k in attrs || {}) e.setAttribute(k, attrs[k]); for (const c of kids) e.append(c); return e; };
const svg = (tag, attrs, text) => { const e = document.createElementNS("http://www.w3.org/2000/svg", tag); for (const k in attrs || {}) e.setAttribute(k, attrs[k]); if (text !== undefined) e.textContent = text; return e; };
const secs = (ms) => ms === undefined ? "" : ms < 1000 ? Math.round(ms) + " ms" : (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + " s";
const mb = (x) => x === undefined ? "" : Math.round(x) + " MB";
const STATES = ["up-to-date", "restorable", "stale", "never-run"];
// one colour per task (Paul Tol's bright and muted, colour-blind safe), in pipeline order
const PALETTE = ["#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", "#332288", "#117733", "#999933", "#cc6677", "#882255", "#44aa99", "#88ccee", "#ddcc77"];
const taskColour = new Map(D.tasks.map((t, i) => [t.id, PALETTE[i % PALETTE.length]]));
/** Round ticks 0 … ≥ max, step 1, 2 or 5 × 10^k. */
function niceTicks(max, target) {
  if (!(max > 0)) return [0, 1];
  const raw = max / target, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const out = []; for (let v = 0; v < max + step * 0.999; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}
const byTask = new Map(D.tasks.map((t) => [t.id, []]));
for (const n of D.nodes) (byTask.get(n.task) || byTask.set(n.task, []).get(n.task)).push(n);
`;
