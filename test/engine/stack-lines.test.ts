// A task's stack trace points at the line that threw — in a worker and in the head alike
// (TypeScript runs through a loader with inline source maps, and Node is told to use them).
import { describe, it, expect } from "vitest";
import { execa } from "execa";
import { FLOW, toyWorkspace } from "../rig.js";

// comments and types above the throw shift the compiled lines: the map must put them back
const thrower = (what: string) => `// a task
import { writeFileSync } from "node:fs";

interface Unused {
  a: number; // types vanish when compiled
}

function deep(x: number): number {
  if (x > 2) {
    // the next line is line 11
    throw new Error("${what}");
  }
  return deep(x + 1);
}
`;

describe("stack traces", () => {
  it("name the source line in a worker (a task) and in the head (a pipeline command)", async () => {
    const ws = toyWorkspace({
      "tasks/upper.ts": `${thrower("from a task")}export default { run(ctx: any) { deep(0); writeFileSync(ctx.outputs.out, "x"); } };\n`,
      "tasks/cmd.ts": `${thrower("from a command")}export const cli = { args: "", options: [] };\nexport async function command() { deep(0); return 0; }\n`,
      "pipeline.yaml": `version: 1
commands:
  boom: { module: tasks/cmd.ts }
tasks:
  upper:
    run: { module: tasks/upper.ts }
    outputs: { out: out/a.up }
`,
    });
    const r = await execa(process.execPath, [FLOW, "run", "-v"], { cwd: ws, reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/Error: from a task\n\s+at deep \(.*tasks\/upper\.ts:11:11\)\n\s+at deep \(.*tasks\/upper\.ts:13:10\)/);
    const c = await execa(process.execPath, [FLOW, "boom", "-v"], { cwd: ws, reject: false });
    expect(c.exitCode).toBe(70);
    expect(c.stderr).toMatch(/Error: from a command\n\s+at deep \(.*tasks\/cmd\.ts:11:11\)/);
  });
});
