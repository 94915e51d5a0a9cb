// The engine takes its worker pool injected (Io.workers): runs through main() with one
// pool reuse its workers and leave them running; without one, each run starts its own
// and ends them. (The in-process test tier shares a pool this way between runs of the
// repository's pipeline.)
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../engine/cli/main.js";
import { LocalExecutor } from "../../engine/exec/local.js";
import { tempDir, write, alive } from "../rig.js";

function pidWorkspace() {
  const ws = tempDir();
  write(ws, {
    "in/a.txt": "a\n",
    "tasks/pid.ts": `import { writeFileSync } from "node:fs";
export default { run(ctx: any) { writeFileSync(ctx.outputs.out, String(process.pid) + " " + ctx.params.round); } };
`,
    "pipeline.yaml": `version: 1
params:
  round: 1
tasks:
  pid:
    run: { module: tasks/pid.ts }
    params: [round]
    inputs: { src: in/a.txt }
    outputs: { out: out/pid.txt }
`,
  });
  return ws;
}

async function runIn(ws: string, round: number, workers?: LocalExecutor) {
  let err = "";
  const back = process.cwd();
  process.chdir(ws);
  try {
    const code = await main(["run", "--set", `round=${round}`], { out: () => {}, err: (s) => void (err += s), isTTY: false, workers });
    expect(code, err).toBe(0);
  } finally {
    process.chdir(back);
  }
  const [pid, r] = readFileSync(join(ws, "out/pid.txt"), "utf8").split(" ");
  expect(r).toBe(String(round));
  return Number(pid);
}

describe("an injected worker pool", () => {
  it("is reused across runs and left running; a run without one ends its own workers", async () => {
    const ws = pidWorkspace();
    const pool = new LocalExecutor({ unref: true });
    try {
      const a = await runIn(ws, 1, pool);
      const b = await runIn(ws, 2, pool);
      expect(a).not.toBe(process.pid);
      expect(b).toBe(a); // the same worker ran both rounds
      expect(alive(a)).toBe(true);
    } finally {
      await pool.close();
    }

    const c = await runIn(ws, 3);
    const d = await runIn(ws, 4);
    expect(d).not.toBe(c); // each run started (and ended) its own worker
    for (let i = 0; i < 50 && alive(c); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive(c)).toBe(false);
  });
});
