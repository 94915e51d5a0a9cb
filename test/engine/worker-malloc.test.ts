// Workers run with glibc told to keep freed memory for reuse (engine/exec/local.ts,
// workerEnv): fresh pages cost ~4 ns a byte on first touch on this project's VMs. Seen
// from inside a real worker process: the tunables are in its environment, unless the
// user set GLIBC_TUNABLES, which is passed on untouched.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { toyWorkspace, FLOW } from "../rig.js";
import { WORKER_MALLOC_TUNABLES } from "../../engine/exec/local.js";

const pipeline = `version: 1
tasks:
  env:
    run: { module: tasks/env.ts }
    outputs: { out: "out/env.txt" }
`;
const task = `import { writeFileSync } from "node:fs";
export default { run(ctx: any) { writeFileSync(ctx.outputs.out, String(process.env.GLIBC_TUNABLES) + " " + process.pid + " " + process.ppid); } };
`;

describe("worker memory", () => {
  it("a worker gets the malloc tunables; a user's GLIBC_TUNABLES is kept", async () => {
    const env = { ...process.env };
    delete env.GLIBC_TUNABLES;
    const ws = toyWorkspace({ "pipeline.yaml": pipeline, "tasks/env.ts": task });
    const head = execa(process.execPath, [FLOW, "run"], { cwd: ws, env, reject: false });
    const r = await head;
    expect(r.exitCode, r.stderr).toBe(0);
    const [tunables, pid, ppid] = readFileSync(join(ws, "out/env.txt"), "utf8").split(" ");
    expect(tunables).toBe(WORKER_MALLOC_TUNABLES);
    expect(Number(ppid)).toBe(head.pid); // a worker the head forked wrote it
    expect(Number(pid)).not.toBe(head.pid);

    const own = toyWorkspace({ "pipeline.yaml": pipeline, "tasks/env.ts": task });
    const mine = await execa(process.execPath, [FLOW, "run"], {
      cwd: own,
      env: { ...env, GLIBC_TUNABLES: "glibc.malloc.arena_max=2" },
      reject: false,
    });
    expect(mine.exitCode, mine.stderr).toBe(0);
    expect(readFileSync(join(own, "out/env.txt"), "utf8").split(" ")[0]).toBe("glibc.malloc.arena_max=2");
  });
});
