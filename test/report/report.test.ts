// `flow report` in a real browser (Debian's Chromium, driven by playwright-core): the page
// loads from disk with no console error, shows every task, one timeline bar per node
// that ran, a task's nodes on a click, and the pipeline's figures at a real size.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { REPO, flow, tempDir } from "../rig.js";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
if (!CHROMIUM) console.warn("SKIPPED the browser test of flow report: no Chromium (.ci/run installs Debian's chromium)");

const ws = inject("exampleWorkspace");
const cacheSet = ["--set", `allen_cache=${inject("exampleCache")}`];
const tasks = Object.keys(parse(readFileSync(join(REPO, "pipeline.yaml"), "utf8")).tasks);
let page: import("playwright-core").Page;
let browser: import("playwright-core").Browser;
const errors: string[] = [];
let html = "";
let ran: string[] = [];

beforeAll(async () => {
  const out = join(tempDir(), "report.html");
  const r = await flow(ws, "report", "-o", out, ...cacheSet);
  expect(r.code, r.stderr).toBe(0);
  html = readFileSync(out, "utf8");
  const last = JSON.parse((await flow(ws, "log", "--run", "last", "--json", ...cacheSet)).stdout);
  ran = last.nodes.filter((n: { outcome: string }) => n.outcome === "ran").map((n: { id: string }) => n.id);
  if (!CHROMIUM) return;
  const { chromium } = await import("playwright-core");
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("request", (q) => {
    if (!q.url().startsWith("file:") && !q.url().startsWith("data:")) errors.push(`network request: ${q.url()}`);
  });
  await page.goto(`file://${out}`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe("flow report", () => {
  it("is one self-contained page under 2 MB", () => {
    expect(Buffer.byteLength(html)).toBeLessThan(2 * 1024 * 1024);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/<link /);
    expect(ran.length).toBeGreaterThan(50); // the example's one cold run
  });

  it.skipIf(!CHROMIUM)("loads with no console error and shows every task of the pipeline", async () => {
    const shown = await page.$$eval(".task", (gs) => gs.map((g) => g.getAttribute("data-task")));
    expect(shown.sort()).toEqual([...tasks].sort());
    expect(errors).toEqual([]);
  });

  it.skipIf(!CHROMIUM)("draws one timeline bar per node that ran", async () => {
    const bars = await page.$$eval(".bar.ran", (bs) => bs.map((b) => b.getAttribute("data-node")));
    expect(bars.sort()).toEqual([...ran].sort());
    const widths = await page.$$eval(".bar.ran", (bs) => bs.map((b) => b.getBoundingClientRect().width));
    expect(Math.min(...widths)).toBeGreaterThan(0);
  });

  it.skipIf(!CHROMIUM)("shows a task's nodes when the task is clicked", async () => {
    await page.click('.task[data-task="bin"]');
    const cells = await page.$$eval("#matrix .node-cell", (cs) => cs.map((c) => c.getAttribute("data-node")));
    expect(cells.length).toBe(4 * 10); // 4 sessions × 10 stimulus types
    expect(cells).toContain("bin[session=715093703,stimulus=flashes]");
    await page.click('.node-cell[data-node="bin[session=715093703,stimulus=flashes]"]');
    expect(await page.textContent("#node-detail")).toContain("state: up-to-date");
    expect(errors).toEqual([]);
  });

  it.skipIf(!CHROMIUM)("renders the pipeline's figures at a real size, and the table sorts", async () => {
    const figs = await page.$$eval("#pipeline-section img", (is) =>
      is.map((i) => ({ w: (i as HTMLImageElement).naturalWidth, box: i.getBoundingClientRect().width })),
    );
    expect(figs.length).toBe(3 + 10); // three charts and a raster per stimulus type
    for (const f of figs) {
      expect(f.w).toBeGreaterThan(0);
      expect(f.box).toBeGreaterThan(0);
    }
    await page.click('#nodes th[data-key="ms"]');
    await page.click('#nodes th[data-key="ms"]'); // descending: the slowest first
    const first = await page.$eval("#nodes tbody tr td", (td) => td.textContent);
    expect(ran).toContain(first);
    if (process.env.FLOW_UPDATE_SCREENSHOT) {
      mkdirSync(join(REPO, "docs"), { recursive: true });
      await page.click('.task[data-task="bin"]');
      await page.screenshot({ path: join(REPO, "docs/report.png"), clip: { x: 0, y: 0, width: 1280, height: 760 } });
      expect(statSync(join(REPO, "docs/report.png")).size).toBeGreaterThan(10_000);
    }
    expect(errors).toEqual([]);
  });
});
