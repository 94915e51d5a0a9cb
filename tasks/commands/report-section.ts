// The Allen pipeline's section of `flow report`: the dataset statistics, the filter
// summary and the figures, inline (SVG markup, so the page needs nothing beside it).
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
  // the figures inline as SVG markup (base64 data: URLs are a third larger): the bar charts,
  // then each stimulus type's three in a block of its own, closed until opened
  const svgOf = (p: string) => `<figure>${readFileSync(p, "utf8")}<figcaption>${esc(basename(p))}</figcaption></figure>`;
  const charts = ctx.outputs("figures").flatMap((o) => Object.values(o.paths).filter((p): p is string => typeof p === "string" && existsSync(p)));
  const perStimulus = ctx.outputs("stimulus_figures").map((o) => ({
    stimulus: o.vars.stimulus ?? "",
    files: Object.values(o.paths).filter((p): p is string => typeof p === "string" && existsSync(p)),
  }));
  if (charts.length || perStimulus.some((x) => x.files.length)) {
    parts.push(`<h3>Figures</h3>`, ...charts.map(svgOf));
    for (const { stimulus, files } of perStimulus.filter((x) => x.files.length)) {
      parts.push(
        `<details class="figures" data-stimulus="${esc(stimulus)}"><summary>${esc(stimulus)}: raster, population PSTH, running and pupil</summary>${files.map(svgOf).join("\n")}</details>`,
      );
    }
  }
  return { title: "The dataset", html: parts.join("\n") };
};
