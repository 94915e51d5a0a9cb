// Kill -9 anywhere: start `flow run` on the example, SIGKILL the whole process group at
// a moment spread over the run (hashing, task execution, HDF5 writes, cache insertion,
// index and state updates), then `flow run` again to completion, and check: every output
// byte-identical to a clean run's, no stray files, `flow status` all up to date, and
// after `flow gc` every index entry's objects present and matching their hashes.
// Usage: node bin/run-ts.js bench/kill-stress.ts [trials]. Last line: "N/N trials recovered".
import { spawn } from "node:child_process";
import { join } from "node:path";
import { workspace, flow, hashTree, REPO } from "./lib.js";

function killedRun(cwd: string, cache: string, afterMs: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO, "bin/flow.js"), "run", "--set", `allen_cache=${cache}`, "--jobs", "2"], {
      cwd,
      detached: true,
      stdio: "ignore",
    });
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* finished already */
      }
    }, afterMs);
    child.on("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** A finished clean run of the example to compare against: its cache, its data folder and
 *  how long it took cold with --jobs 2 (the kill points are spread over that time). */
export interface Reference {
  cache: string;
  data: string;
  coldMs: number;
}

async function reference(): Promise<Reference> {
  const ref = workspace("kill_ref");
  await flow(ref, "run"); // generates the example in ref/examples
  const cache = join(ref, "examples", "allen_cache");
  const t0 = performance.now();
  await flow(workspace("kill_timing"), "run", "--set", `allen_cache=${cache}`, "--jobs", "2");
  return { cache, data: join(ref, "data"), coldMs: performance.now() - t0 };
}

/** Runs a flow command to completion (throws on a non-zero exit): a process here, in-process in the test. */
export type FlowCall = (cwd: string, ...args: string[]) => Promise<{ stdout: string }>;

export async function stress(trials: number, log: (m: string) => void = console.log, given?: Reference, call: FlowCall = flow): Promise<number> {
  const { cache, data, coldMs: cold } = given ?? (await reference());
  const want = hashTree(data);
  let ok = 0;
  const ws = workspace("kill_ws");
  for (let i = 0; i < trials; i++) {
    // spread kill points over the whole run, from start-up to the last node
    const at = Math.round(((i + 0.5) / trials) * cold * 1.1);
    await killedRun(ws, cache, at);
    const problems: string[] = [];
    try {
      await call(ws, "run", "--set", `allen_cache=${cache}`);
      const got = hashTree(join(ws, "data"));
      for (const [f, h] of Object.entries(want)) if (got[f] !== h) problems.push(`${f} ${got[f] ? "differs" : "missing"}`);
      for (const f of Object.keys(got)) if (!(f in want)) problems.push(`stray ${f}`);
      const st = JSON.parse((await call(ws, "status", "--json", "--set", `allen_cache=${cache}`)).stdout) as { id: string; state: string }[];
      for (const n of st) if (n.state !== "up-to-date") problems.push(`${n.id} ${n.state}`);
      await call(ws, "gc", "--set", `allen_cache=${cache}`);
      const objects = hashTree(join(ws, "cache", "objects"));
      for (const [f, h] of Object.entries(objects)) if (!f.endsWith(h)) problems.push(`object ${f} does not match its hash`);
      const st2 = JSON.parse((await call(ws, "status", "--json", "--set", `allen_cache=${cache}`)).stdout) as { state: string }[];
      if (st2.some((n) => n.state !== "up-to-date")) problems.push("not up to date after gc");
    } catch (e) {
      problems.push((e as Error).message.split("\n").slice(0, 3).join(" "));
    }
    if (problems.length === 0) ok++;
    log(`trial ${i + 1}: killed at ${at} ms: ${problems.length ? `FAILED: ${problems.slice(0, 3).join("; ")}` : "recovered"}`);
    // next trial starts from a partially built state again: invalidate a slice
    await call(ws, "invalidate", "--set", `allen_cache=${cache}`, i % 2 ? "task=bin" : "task=presentations");
  }
  log(`${ok}/${trials} trials recovered`);
  return ok;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 20);
  const ok = await stress(n);
  process.exitCode = ok === n ? 0 : 1;
}
