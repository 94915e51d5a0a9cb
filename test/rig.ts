// The temp-dir rig: a fresh workspace per test. `flow()` runs the CLI in this process
// through main(argv, io) — the same wiring bin/flow.js calls, without a Node start-up
// (~1 s on 2 cores) per call. What needs a process of its own (signals, kill -9, a
// lock held by another pid, environment variables) spawns bin/flow.js itself, and
// FLOW_TEST_SPAWN=1 makes every call a real process.
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync, existsSync, symlinkSync, readdirSync, realpathSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { LocalExecutor } from "../engine/exec/local.js";

export const REPO = fileURLToPath(new URL("..", import.meta.url));
export const FLOW = join(REPO, "bin", "flow.js");

export function tempDir(prefix = "flow-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function write(dir: string, files: Record<string, string>) {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

export const read = (dir: string, name: string) => readFileSync(join(dir, name), "utf8");
export const exists = (dir: string, name: string) => existsSync(join(dir, name));

/** Whether a process with this pid exists (signal 0 tests without sending). */
export const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export interface FlowResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function flow(cwd: string, ...args: string[]): Promise<FlowResult> {
  if (process.env.FLOW_TEST_SPAWN !== "1") return flowInProcess(cwd, args);
  return flowProcess(cwd, ...args);
}

/** bin/flow.js as a real process. */
export async function flowProcess(cwd: string, ...args: string[]): Promise<FlowResult> {
  const r = await execa(process.execPath, [FLOW, ...args], { cwd, reject: false, env: { ...process.env, FORCE_COLOR: "0" } });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The repository's pipeline never changes during the suite, so runs in a workspace
 * that links its tasks/ share one worker pool per test process: a worker's start-up
 * (Node, the task modules, h5wasm: ~1.5 s of CPU) is paid once, not twice a run — the
 * engine takes its pool injected (Io.workers). A toy pipeline whose modules a test
 * edits always gets fresh workers. The pool's workers die with this process.
 */
let sharedPool: LocalExecutor | undefined;
const REPO_TASKS = realpathSync(join(REPO, "tasks"));
function workersFor(cwd: string): LocalExecutor | undefined {
  let tasks: string;
  try {
    tasks = realpathSync(join(cwd, "tasks"));
  } catch {
    return undefined;
  }
  if (tasks !== REPO_TASKS) return undefined;
  sharedPool ??= new LocalExecutor({ unref: true });
  return sharedPool;
}

// One call at a time: the working directory is the process's.
let queue: Promise<unknown> = Promise.resolve();
function flowInProcess(cwd: string, args: string[]): Promise<FlowResult> {
  const call = queue.then(async () => {
    const { main } = await import("../engine/cli/main.js");
    let stdout = "",
      stderr = "";
    const io = { out: (s: string) => void (stdout += s), err: (s: string) => void (stderr += s), isTTY: false, workers: workersFor(cwd) };
    const back = process.cwd();
    process.chdir(cwd);
    try {
      const code = await main(args, io);
      // bin/flow.js trims nothing; execa did (its stripFinalNewline): keep the same shape
      return { code, stdout: stdout.replace(/\n$/, ""), stderr: stderr.replace(/\n$/, "") };
    } finally {
      process.chdir(back);
    }
  });
  queue = call.catch(() => undefined);
  return call;
}

/** `flow run --json` → the summary. */
export async function runJson(cwd: string, ...args: string[]) {
  const r = await flow(cwd, "run", "--json", ...args);
  const line = r.stdout.trim().split("\n").pop() ?? "{}";
  let summary: { ran: string[]; restored: string[]; upToDate: string[]; failed: { id: string; error: string }[]; skipped: string[] };
  try {
    summary = JSON.parse(line);
  } catch {
    throw new Error(`flow run --json printed no summary (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { ...r, summary };
}

export async function statusJson(cwd: string, ...args: string[]) {
  const r = await flow(cwd, "status", "--json", ...args);
  if (r.code !== 0) throw new Error(`flow status failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { id: string; task: string; params: Record<string, unknown>; state: string; reasons: string[] }[];
}

/**
 * Makes `dir` a workspace that runs this repo's pipeline.yaml (tasks/ and engine/
 * linked, not copied). The one set-up helper of test/ and bench/.
 */
export function linkPipeline(dir: string): string {
  writeFileSync(join(dir, "pipeline.yaml"), readFileSync(join(REPO, "pipeline.yaml")));
  for (const d of ["tasks", "engine", "node_modules", "schemas", "package.json"]) symlinkSync(join(REPO, d), join(dir, d));
  return dir;
}

/** A fresh temp workspace running this repo's pipeline.yaml. */
export function pipelineWorkspace(): string {
  return linkPipeline(tempDir("flow-pipe-"));
}

/** A toy pipeline: `count[name=…]` TS tasks over in/*.txt, and a shell `concat` over them. */
export function toyWorkspace(extra: Record<string, string> = {}): string {
  const dir = tempDir();
  write(dir, {
    "in/a.txt": "alpha\n",
    "in/b.txt": "beta\n",
    "tasks/upper.ts": `import { readFileSync, writeFileSync } from "node:fs";
export default { run(ctx: any) { writeFileSync(ctx.outputs.out, readFileSync(ctx.inputs.src, "utf8").toUpperCase() + ctx.params.suffix); } };
`,
    "pipeline.yaml": `version: 1
params:
  suffix: "!"
  unused: 1
sets:
  name: { glob: "in/{name}.txt" }
tasks:
  upper:
    run: { module: tasks/upper.ts }
    foreach: [name]
    params: [suffix]
    inputs: { src: "in/\${name}.txt" }
    outputs: { out: "out/\${name}.up" }
  concat:
    run: { argv: ["/bin/sh", "-c", "cat \\"$@\\" > \\"$0\\"", "\${out.all}", "\${in.parts}"] }
    inputs: { parts: { from: upper, output: out } }
    outputs: { all: "out/all.txt" }
`,
    ...extra,
  });
  return dir;
}

/** An HDF5 file that claims to be NWB 2.2.2 but has only /intervals (no /units). */
export async function writeNwbWithoutUnits(path: string) {
  const { h5, withFrozenClock } = await import("../tasks/formats/h5.js");
  const lib = await h5();
  withFrozenClock(() => {
    const f = new lib.File(path, "w");
    f.create_attribute("neurodata_type", "NWBFile");
    f.create_attribute("nwb_version", "2.2.2");
    f.create_group("intervals");
    f.close();
  });
}

/** Every object file in a workspace's cache/objects. */
export function objects(ws: string): string[] {
  const dir = join(ws, "cache/objects");
  return readdirSync(dir).flatMap((s) => readdirSync(join(dir, s)).map((f) => join(dir, s, f)));
}

/** Whether this process may mount a small tmpfs (root; CI runs as root): real full and read-only disks. */
export function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0) return false;
  const d = tempDir("flow-mnt-");
  const ok = spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", d]).status === 0;
  if (ok) spawnSync("umount", [d]);
  return ok;
}

/**
 * Controllable tasks (wireit's newCommand()): a task that says when it started and waits
 * until the test releases it — no test waits a fixed time for a task to be "surely"
 * running. A gate is two files in `<ws>/gates/`: `<name>.started`, written by the task, and
 * `<name>.release`, written by the test.
 */
export const GATE_SH = (name: string, then = 'touch "$0"') =>
  `mkdir -p gates; touch gates/${name}.started; while [ ! -e gates/${name}.release ]; do sleep 0.02; done; ${then}`;
/** A TypeScript task module gated by its node's `gate` param (or its task id). */
export const GATE_TS = `import { existsSync, mkdirSync, writeFileSync } from "node:fs";
export default { async run(ctx: any) {
  const name = String(ctx.params.gate ?? ctx.node.replace(/[^A-Za-z0-9_]/g, "_"));
  mkdirSync("gates", { recursive: true });
  writeFileSync("gates/" + name + ".started", String(process.pid));
  while (!existsSync("gates/" + name + ".release")) await new Promise((r) => setTimeout(r, 20));
  for (const o of Object.values(ctx.outputs)) writeFileSync(o as string, name);
} };
`;

export function gates(ws: string) {
  const file = (name: string, what: string) => join(ws, "gates", `${name}.${what}`);
  return {
    /** resolves once the task has started (within `ms`, else rejects) */
    async started(name: string, ms = 30_000): Promise<void> {
      const t0 = Date.now();
      while (!existsSync(file(name, "started"))) {
        if (Date.now() - t0 > ms) throw new Error(`gate ${name} never started`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    release(name: string) {
      mkdirSync(join(ws, "gates"), { recursive: true });
      writeFileSync(file(name, "release"), "");
    },
  };
}
