// The header line: the last run and the states now.
export const SUMMARY = String.raw`
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
`;
