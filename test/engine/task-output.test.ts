// What a task prints is streamed and bounded where it runs: a shell task that prints
// 600 MB (one line, no newline) and a TypeScript task that prints 200 MB keep the last
// 64 kB each, succeed, and the shell jobs in flight beside them are not lost with a crashed
// helper (it held everything: 1.2 GB, then a raw V8 error).
import { describe, it, expect } from "vitest";
import { flow, read, runJson, toyWorkspace } from "../rig.js";

const yaml = `version: 1
tasks:
  loud_sh:
    run: { argv: [/bin/sh, -c, 'head -c 600000000 /dev/zero | tr "\\\\0" x; echo; echo the end; echo done > "$0"', "\${out.o}"] }
    outputs: { o: out/loud.txt }
  loud_ts:
    run: { module: tasks/loud.ts }
    outputs: { o: out/loud_ts.txt }
  quiet:
    run: { argv: [/bin/sh, -c, 'sleep 1; echo fine > "$0"', "\${out.o}"] }
    outputs: { o: out/quiet.txt }
`;
const loud = `import { writeFileSync } from "node:fs";
export default { run(ctx: any) {
  const line = "y".repeat(1 << 20);
  for (let i = 0; i < 200; i++) process.stdout.write(line + "\\n");
  process.stdout.write("no newline at the end " + "z".repeat(200_000));
  writeFileSync(ctx.outputs.o, "done");
} };
`;

describe("a task that prints a lot", () => {
  it("keeps the last 64 kB of it, for shell and TypeScript tasks alike; nothing else fails", async () => {
    const ws = toyWorkspace({ "pipeline.yaml": yaml, "tasks/loud.ts": loud });
    const r = await runJson(ws, "--jobs", "3");
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary.ran.sort()).toEqual(["loud_sh", "loud_ts", "quiet"]);
    expect(read(ws, "out/quiet.txt")).toBe("fine\n");
    const sh = (await flow(ws, "log", "loud_sh", "--output")).stdout;
    expect(sh).toMatch(/^\[… the first \d+ bytes are not kept\]\nx+\nthe end$/);
    expect(sh.length).toBeLessThan(64 * 1024 + 100);
    const ts = (await flow(ws, "log", "loud_ts", "--output")).stdout;
    expect(ts).toMatch(/^\[… the first \d+ bytes are not kept\]\nz*$/);
    expect(ts.length).toBeLessThan(64 * 1024 + 100);
    expect(ts.endsWith("z".repeat(1000))).toBe(true);
  }, 120_000);
});
