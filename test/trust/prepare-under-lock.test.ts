// `prepare:` is a step of `flow run`, taken with the workspace lock held: two runs on a
// fresh clone do not both generate the inputs (the second would replace the folder the
// first is reading); the second is refused while the first prepares.
import { describe, it, expect } from "vitest";
import { execa } from "execa";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FLOW, flow, gates, toyWorkspace } from "../rig.js";
import { PREPARED_COPY } from "../toy-pipelines.js";

const yaml = PREPARED_COPY;
// a generator that waits at a gate (test/rig.ts) while it makes the folder, and counts its runs
const make = `import { appendFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
export const cli = { args: "<dir>", options: [] };
export async function command({ args }: { args: string[] }, ctx: any) {
  appendFileSync(join(ctx.root, "made.log"), "made\\n");
  mkdirSync(join(ctx.root, "gates"), { recursive: true });
  writeFileSync(join(ctx.root, "gates/make.started"), "");
  while (!existsSync(join(ctx.root, "gates/make.release"))) await new Promise((r) => setTimeout(r, 20));
  return ctx.atomicFolder(args[0], async (tmp: string) => { writeFileSync(join(tmp, "a.txt"), "a\\n"); return 0; });
}
`;

describe("prepare runs under the workspace lock", () => {
  it("a second run while the first prepares is refused; the inputs are made once", async () => {
    const ws = toyWorkspace({ "pipeline.yaml": yaml, "tasks/make.ts": make });
    const first = execa(process.execPath, [FLOW, "run"], { cwd: ws, reject: false });
    const g = gates(ws);
    await g.started("make");
    const second = await flow(ws, "run");
    expect(second.code).toBe(3);
    expect(second.stderr).toContain("workspace is locked by 'flow run'");
    g.release("make");
    const r = await first;
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(join(ws, "made.log"), "utf8")).toBe("made\n");
    expect(readFileSync(join(ws, "out/a.txt"), "utf8")).toBe("a\n");
    expect((await flow(ws, "run")).code).toBe(0);
    expect(readFileSync(join(ws, "made.log"), "utf8")).toBe("made\n");
  }, 60_000);
});
