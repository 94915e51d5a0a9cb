// `flow report` of the example in a real browser (Debian's Chromium, driven by
// playwright-core): the page loads from disk with no console error; the task graph has
// exactly `flow dag --tasks`'s edges, none drawn across a box, and fits a 1000 px window;
// the timeline has a time axis, one bar per node that ran coloured by task with a legend;
// the spread per task, the node table's filter, the pipeline's figures. The picture in
// docs/report.png is made here (FLOW_UPDATE_SCREENSHOT=1) and records the tasks it shows:
// a picture of an older pipeline fails.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { REPO, flow, tempDir } from "../rig.js";
import { CHROMIUM, openPage, type OpenPage } from "./browser.js";
import { crc32 } from "../../tasks/formats/npz.js";

if (!CHROMIUM) console.warn("SKIPPED the browser tests of flow report: no Chromium (.ci/run installs Debian's chromium)");

const ws = inject("exampleWorkspace");
const cacheSet = ["--set", `allen_cache=${inject("exampleCache")}`];
const tasks = Object.keys(parse(readFileSync(join(REPO, "pipeline.yaml"), "utf8")).tasks);
let html = "";
let file = "";
let ran: string[] = [];
let taskEdges: [string, string][] = [];
let open: OpenPage | undefined;

beforeAll(async () => {
  file = join(tempDir(), "report.html");
  const r = await flow(ws, "report", "-o", file, ...cacheSet);
  expect(r.code, r.stderr).toBe(0);
  html = readFileSync(file, "utf8");
  const last = JSON.parse((await flow(ws, "log", "--run", "last", "--json", ...cacheSet)).stdout);
  ran = last.nodes.filter((n: { outcome: string }) => n.outcome === "ran").map((n: { id: string }) => n.id);
  taskEdges = JSON.parse((await flow(ws, "dag", "--tasks", "--json", ...cacheSet)).stdout).edges;
  if (CHROMIUM) open = await openPage(file);
}, 120_000);

afterAll(async () => {
  await open?.close();
});

/** The PNG's tEXt chunks, keyword → text. */
function pngText(png: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (let o = 8; o < png.length;) {
    const len = png.readUInt32BE(o),
      type = png.toString("latin1", o + 4, o + 8);
    if (type === "tEXt") {
      const body = png.subarray(o + 8, o + 8 + len);
      const z = body.indexOf(0);
      out[body.toString("latin1", 0, z)] = body.toString("latin1", z + 1);
    }
    o += 12 + len;
  }
  return out;
}

/** A PNG with a tEXt chunk added before IEND. */
function withText(png: Buffer, key: string, text: string): Buffer {
  const body = Buffer.concat([Buffer.from(key, "latin1"), Buffer.from([0]), Buffer.from(text, "latin1")]);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write("tEXt", 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  const iend = png.length - 12;
  return Buffer.concat([png.subarray(0, iend), head, body, crc, png.subarray(iend)]);
}

describe("flow report", () => {
  it("is one self-contained page under 2 MB, figures and all", () => {
    expect(Buffer.byteLength(html)).toBeLessThan(2 * 1024 * 1024);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/<link /);
    expect(ran.length).toBeGreaterThan(50); // the example's one cold run
  });

  it.skipIf(!CHROMIUM)("the task graph: every task, exactly flow dag --tasks's edges, none drawn across a box", async () => {
    const { page, errors } = open!;
    const shown = await page.$$eval(".task", (gs) => gs.map((g) => g.getAttribute("data-task")));
    expect(shown.sort()).toEqual([...tasks].sort());
    const drawn = await page.$$eval("path.edge", (ps) => ps.map((p) => [p.getAttribute("data-from"), p.getAttribute("data-to")]));
    expect(drawn.map((e) => e.join("→")).sort()).toEqual(taskEdges.map((e) => e.join("→")).sort());
    // every 2 px along every edge, in screen coordinates: inside no box but its own two
    const crossings = await page.evaluate(() => {
      const boxes = [...document.querySelectorAll(".task")].map((g) => ({
        id: g.getAttribute("data-task")!,
        r: g.querySelector("rect")!.getBoundingClientRect(),
      }));
      const out: string[] = [];
      for (const p of document.querySelectorAll<SVGPathElement>("path.edge")) {
        const from = p.getAttribute("data-from"),
          to = p.getAttribute("data-to");
        const m = p.getScreenCTM()!;
        for (let s = 0; s <= p.getTotalLength(); s += 2) {
          const q = new DOMPoint(p.getPointAtLength(s).x, p.getPointAtLength(s).y).matrixTransform(m);
          for (const b of boxes) {
            if (b.id === from || b.id === to) continue;
            if (q.x > b.r.left + 1 && q.x < b.r.right - 1 && q.y > b.r.top + 1 && q.y < b.r.bottom - 1) out.push(`${from}→${to} crosses ${b.id}`);
          }
        }
      }
      return [...new Set(out)];
    });
    expect(crossings).toEqual([]);
    expect(errors).toEqual([]);
  });

  it.skipIf(!CHROMIUM)("the task graph fits a 1000 px window (scaled, nothing off screen)", async () => {
    const narrow = await openPage(file, { width: 1000, height: 800 });
    try {
      const right = await narrow.page.$$eval(".task rect", (rs) => Math.max(...rs.map((r) => r.getBoundingClientRect().right)));
      expect(right).toBeLessThanOrEqual(1000);
      const scroll = await narrow.page.$eval("#tasks", (s) => s.scrollWidth - s.clientWidth);
      expect(scroll).toBe(0);
      expect(narrow.errors).toEqual([]);
    } finally {
      await narrow.close();
    }
  });

  it.skipIf(!CHROMIUM)(
    "the timeline: a time axis in seconds, one bar per node that ran, coloured by task with a legend, each named with its duration",
    async () => {
      const { page } = open!;
      const ticks = await page.$$eval("#timeline-svg .tick", (ts) => ts.map((t) => t.textContent));
      expect(ticks.length).toBeGreaterThanOrEqual(3);
      expect(ticks[0]).toBe("0 s");
      for (const t of ticks) expect(t).toMatch(/^\d+(\.\d+)? s$/);
      const bars = await page.$$eval(".bar", (bs) =>
        bs.map((b) => ({
          node: b.getAttribute("data-node")!,
          task: b.getAttribute("data-task")!,
          fill: b.getAttribute("fill")!,
          title: b.querySelector("title")!.textContent!,
        })),
      );
      expect(bars.map((b) => b.node).sort()).toEqual([...ran].sort());
      const fills = new Map<string, Set<string>>();
      for (const b of bars) {
        (fills.get(b.task) ?? fills.set(b.task, new Set()).get(b.task)!).add(b.fill);
        expect(b.title).toMatch(new RegExp(`^${b.node.replace(/[[\]]/g, "\\$&")} — \\d+( ms|\\.\\d+ s)`));
      }
      for (const [, f] of fills) expect(f.size).toBe(1); // one colour per task
      expect(new Set([...fills.values()].map((f) => [...f][0])).size).toBe(fills.size); // and tasks apart
      const legend = await page.$eval("#timeline-legend", (l) => l.textContent);
      for (const t of fills.keys()) expect(legend).toContain(t);
    },
  );

  it.skipIf(!CHROMIUM)("per task, the spread of duration, CPU and memory over its nodes; a node table that filters", async () => {
    const { page, errors } = open!;
    const spread = await page.$$eval("#spread-table tr[data-task]", (rs) =>
      rs.map((r) => ({ task: r.getAttribute("data-task"), boxes: [...r.querySelectorAll("svg.box")].map((b) => b.getAttribute("data-five")!) })),
    );
    expect(spread.map((x) => x.task)).toEqual(tasks); // every task of the example ran
    for (const { boxes } of spread) {
      expect(boxes.length).toBeGreaterThanOrEqual(2); // duration and peak RSS at least (CPU of a shell task may be unknown)
      for (const b of boxes) {
        const v = b.split(" ").map(Number);
        expect(v).toEqual([...v].sort((x, y) => x - y));
      }
    }
    await page.fill("#node-filter", "dot_motion");
    const rows = await page.$$eval("#nodes tbody tr", (rs) => rs.map((r) => r.getAttribute("data-node")));
    expect(rows.length).toBe(4 + 1 + 1); // four bin nodes, the stimulus file and its figures
    for (const r of rows) expect(r).toContain("dot_motion");
    expect(await page.textContent("#node-count")).toContain("6 of 79 nodes");
    await page.fill("#node-filter", "");
    await page.selectOption("#node-task", "medians");
    expect(await page.$$eval("#nodes tbody tr", (rs) => rs.length)).toBe(1);
    expect(errors).toEqual([]);
  });

  it.skipIf(!CHROMIUM)("renders the pipeline's figures (a block per stimulus type) and a task's nodes on a click", async () => {
    const { page, errors } = open!;
    expect(await page.$$eval("#pipeline-section figure svg", (s) => s.length)).toBe(3 + 3 * 10);
    await page.click('details.figures[data-stimulus="flashes"] summary');
    const widths = await page.$$eval('details.figures[data-stimulus="flashes"] figure svg', (s) => s.map((x) => x.getBoundingClientRect().width));
    expect(widths.length).toBe(3);
    for (const w of widths) expect(w).toBeGreaterThan(300);
    await page.click('.task[data-task="bin"]');
    const cells = await page.$$eval("#matrix .node-cell", (cs) => cs.map((c) => c.getAttribute("data-node")));
    expect(cells.length).toBe(4 * 10); // 4 sessions × 10 stimulus types
    await page.click('.node-cell[data-node="bin[session=715093703,stimulus=flashes]"]');
    expect(await page.textContent("#node-detail")).toContain("state: up-to-date");
    if (process.env.FLOW_UPDATE_SCREENSHOT) {
      mkdirSync(join(REPO, "docs"), { recursive: true });
      await page.evaluate(() => window.scrollTo(0, 0));
      const png = await page.screenshot({ clip: { x: 0, y: 0, width: 1280, height: 900 } });
      writeFileSync(join(REPO, "docs/report.png"), withText(png, "flow-tasks", tasks.join(" ")));
    }
    expect(errors).toEqual([]);
  });
  it("docs/report.png shows the current pipeline (FLOW_UPDATE_SCREENSHOT=1 makes it again)", () => {
    const text = pngText(readFileSync(join(REPO, "docs/report.png")));
    expect(text["flow-tasks"], "docs/report.png was made from another pipeline: FLOW_UPDATE_SCREENSHOT=1 npx vitest run test/report").toBe(
      tasks.join(" "),
    );
  });
});
