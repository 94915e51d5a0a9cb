// The Allen pipeline's section of `flow report`: the dataset statistics, the filter
// summary and the figures, inline (the figures as data: URLs, so the page needs nothing
// beside it).
import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseCsv, type SectionFn } from "#flow/command";

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

function table(columns: string[], rows: string[][], max = 400): string {
  const head = `<tr>${columns.map((c) => `<th>${esc(c)}</th>`).join("")}</tr>`;
  const body = rows
    .slice(0, max)
    .map((r) => `<tr>${r.map((v) => `<td>${esc(v)}</td>`).join("")}</tr>`)
    .join("");
  const more = rows.length > max ? `<p class="hint">… and ${rows.length - max} more rows (in the CSV).</p>` : "";
  return `<table>${head}${body}</table>${more}`;
}

const single = (paths: Record<string, string | Record<string, string>> | undefined, name: string) => {
  const p = paths?.[name];
  return typeof p === "string" && existsSync(p) ? p : undefined;
};

export const section: SectionFn = (ctx) => {
  const parts: string[] = [];
  const stats = single(ctx.outputs("stats")[0]?.paths, "csv");
  if (stats) {
    const { columns, rows } = parseCsv(readFileSync(stats, "utf8"));
    const col = (c: string) => columns.indexOf(c);
    const sessions = new Set(rows.map((r) => r[col("session_id")])).size;
    const stimuli = new Set(rows.map((r) => r[col("stimulus_type")])).size;
    const structures = new Set(rows.map((r) => r[col("brain_structure")])).size;
    parts.push(
      `<h3>Dataset statistics</h3><p>${sessions} sessions, ${stimuli} stimulus types, ${structures} brain structures (combined_statistics.csv).</p>`,
      table(columns, rows),
    );
  } else parts.push(`<p>The dataset statistics are not built yet (run flow run).</p>`);
  const summary = single(ctx.outputs("medians")[0]?.paths, "summary");
  if (summary) {
    const { columns, rows } = parseCsv(readFileSync(summary, "utf8"));
    parts.push(
      `<h3>Filter summary</h3><p>Stimulus presentations before and after the median-duration filter (filtered_summary.csv).</p>`,
      table(columns, rows),
    );
  }
  const figs = Object.values(ctx.outputs("figures")[0]?.paths ?? {})
    .flatMap((p) => (typeof p === "string" ? [p] : Object.values(p)))
    .filter((p) => existsSync(p));
  if (figs.length) {
    parts.push(`<h3>Figures</h3>`);
    for (const f of figs) {
      const data = readFileSync(f).toString("base64");
      parts.push(
        `<figure><img class="figure" alt="${esc(basename(f))}" src="data:image/svg+xml;base64,${data}"><figcaption>${esc(basename(f))}</figcaption></figure>`,
      );
    }
  }
  return { title: "The dataset", html: parts.join("\n") };
};
