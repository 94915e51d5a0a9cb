// `flow report` after a run that failed, and after one that only restored: the failed
// node with its error and the tail of its output is the first thing on the page (in the
// HTML itself, and first on screen); a workspace whose run restored everything from a
// shared cache shows the run that last executed the nodes, and says so.
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { flow, runJson, tempDir, toyWorkspace } from "../rig.js";
import { CHROMIUM, openPage } from "./browser.js";

const dataOf = (html: string) =>
  JSON.parse(/<script type="application\/json" id="data">([\s\S]*?)<\/script>/.exec(html)![1]!.replace(/\\u003c/g, "<"));

async function report(ws: string, ...args: string[]): Promise<{ file: string; html: string }> {
  const file = join(tempDir(), "report.html");
  const r = await flow(ws, "report", "-o", file, ...args);
  expect(r.code, r.stderr).toBe(0);
  return { file, html: readFileSync(file, "utf8") };
}

const boom = `
  boom:
    run: { argv: [/bin/sh, -c, 'for i in $(seq 1 40); do echo "line $i"; done; echo "last words" >&2; exit 3', "\${out.o}"] }
    inputs: { all: out/all.txt }
    outputs: { o: out/boom.txt }
`;

describe("flow report after a failure, and after a restore-only run", () => {
  it("puts the failed node first: its error and the last lines it printed", async () => {
    const ws = toyWorkspace();
    const yaml = join(ws, "pipeline.yaml");
    writeFileSync(yaml, readFileSync(yaml, "utf8") + boom);
    const r = await runJson(ws, "--keep-going");
    expect(r.code).toBe(1);
    expect(r.summary.failed.map((f) => f.id)).toEqual(["boom"]);
    const { file, html } = await report(ws);
    const main = html.slice(html.indexOf("<main>"));
    expect(main.indexOf('<section id="failures">')).toBe(main.indexOf("<section")); // the first section
    const failure = /<li class="failure" data-node="boom">([\s\S]*?)<\/li>/.exec(html)![1]!;
    expect(failure).toMatch(/<pre class="error">[^<]*exit(ed with)? (code )?3/);
    const tail = /<pre class="tail">([\s\S]*?)<\/pre>/.exec(failure)![1]!;
    expect(tail).toContain("line 40");
    expect(tail).toContain("last words");
    expect(tail.split("\n").length).toBeLessThanOrEqual(30);
    expect(tail).not.toMatch(/^line 5$/m);
    expect(html).toMatch(/<nav id="toc"><a href="#failures">Failures \(1\)<\/a>/);
    if (!CHROMIUM) return;
    const p = await openPage(file);
    try {
      const top = await p.page.$eval("main > section", (s) => [s.id, s.getBoundingClientRect().top]);
      expect(top[0]).toBe("failures");
      expect(top[1]).toBeLessThan(900); // on the first screen
      expect(p.errors).toEqual([]);
    } finally {
      await p.close();
    }
  });

  it("a run that only restored: the timeline is the run that executed the nodes, said so; every node's last execution is in the table", async () => {
    const a = toyWorkspace();
    const first = await runJson(a);
    expect(first.code).toBe(0);
    const executed = await flow(a, "log", "--run", "last", "--json");
    const runA = JSON.parse(executed.stdout).header.id as string;

    const b = toyWorkspace(); // a colleague's workspace on the same cache
    const restored = await runJson(b, "--cache-dir", join(a, "cache"));
    expect(restored.summary.ran).toEqual([]);
    expect(restored.summary.restored.length).toBe(first.summary.ran.length);
    const { html } = await report(b, "--cache-dir", join(a, "cache"));
    const d = dataOf(html);
    expect(d.timeline.run).toBe(runA);
    expect(d.timeline.note).toMatch(/^The last run \(\S+\) executed no node: this is run \S+, the latest that executed any of them/);
    expect(d.timeline.items.map((i: { id: string }) => i.id).sort()).toEqual([...first.summary.ran].sort());
    for (const n of d.nodes) {
      expect(n.exec, n.id).toBeDefined();
      expect(n.exec.earlier).toBe(true);
      expect(n.exec.run).toBe(runA);
      expect(n.exec.ms).toBeGreaterThanOrEqual(0);
    }
    expect(d.spread.find((s: { task: string }) => s.task === "upper").n).toBe(2);
    if (!CHROMIUM) return;
    const file = join(tempDir(), "b.html");
    writeFileSync(file, html);
    const p = await openPage(file);
    try {
      expect(await p.page.textContent("#timeline-note")).toContain(`this is run ${runA}`);
      expect(await p.page.$$eval(".bar", (bs) => bs.length)).toBe(first.summary.ran.length);
      const cells = await p.page.$$eval("#nodes tbody tr td:last-child", (ts) => ts.map((t) => t.textContent));
      for (const c of cells) expect(c).toBe(`${runA} (earlier)`);
      expect(p.errors).toEqual([]);
    } finally {
      await p.close();
    }
  });
});
