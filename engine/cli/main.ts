// The CLI: only wiring. Each command lives in commands/; pipeline sub-commands
// (e.g. the Allen pipeline's `flow export`) are modules named in pipeline.yaml.
import { resolve } from "node:path";
import { FlowError, EXIT, systemFailure } from "../errors.js";
import { installSignalHandlers } from "./interrupt.js";
import type { Io } from "./context.js";
import { CommanderError } from "commander";
import { run } from "./commands/run.js";
import { status } from "./commands/status.js";
import { invalidate } from "./commands/invalidate.js";
import { log } from "./commands/log.js";
import { dag } from "./commands/dag.js";
import { gc } from "./commands/gc.js";
import { nodeRun } from "./commands/node-run.js";
import { report } from "./commands/report.js";
import { buildProgram, type ListedCommand } from "./program.js";
import { readPipelineSource } from "../pipeline/source.js";
import { validatePipeline } from "../pipeline/validate.js";
import { paramSpecs, resolveParams, parseSets } from "../pipeline/params.js";
import { FLOW_VERSION } from "../version.js";
import { loadCommandModule, parseCommandLine } from "../pipeline/commands.js";
import { loadPipeline } from "../pipeline/load.js";
import { Workspace } from "../workspace.js";
import { Planner } from "../plan/plan.js";
import { allOutputPaths } from "../pipeline/types.js";
import { findPipeline } from "./args.js";
import type { PipelineSpec } from "../pipeline/types.js";

const builtins = [run, status, invalidate, log, dag, report, gc, nodeRun];

export async function main(argv: string[], io: Io = defaultIo(), opts: { signals?: boolean } = {}): Promise<number> {
  const [cmd, ...rest] = argv;
  const verbose = rest.includes("--verbose") || rest.includes("-v");
  if (opts.signals) installSignalHandlers(io.err);
  try {
    // A builtin needs no look at the pipeline file here; anything else may be one of the
    // pipeline's own commands (flow export …), which parse their own arguments.
    const builtin = builtins.some((b) => b.name === cmd);
    const spec = builtin ? undefined : pipelineSpec(argv);
    if (cmd && spec?.commands?.[cmd]) return await pipelineCommand(cmd, rest, io);
    let code: number = EXIT.usage;
    const listed: ListedCommand[] = Object.entries(spec?.commands ?? {}).map(([name, c]) => ({ name, description: c.description }));
    const program = buildProgram(FLOW_VERSION, builtins, listed, io, (c) => {
      code = c;
    });
    if (!cmd) {
      io.out(program.helpInformation());
      return EXIT.usage;
    }
    try {
      await program.parseAsync(argv, { from: "user" });
    } catch (e) {
      if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage; // (commander printed it)
      throw e;
    }
    return code;
  } catch (e) {
    return reportError(e, io, verbose);
  }
}

/** The pipeline file's spec, for listing its commands; undefined if there is none (or it is broken). */
function pipelineSpec(argv: string[]): PipelineSpec | undefined {
  const i = argv.findIndex((a) => a === "--pipeline" || a === "-f");
  const file = i >= 0 ? (argv[i + 1] ?? "pipeline.yaml") : "pipeline.yaml";
  try {
    return validatePipeline(readPipelineSource(resolve(file), file));
  } catch {
    return undefined;
  }
}

/** The one place where a thrown failure becomes a line and an exit code (README: exit codes). */
export function reportError(e: unknown, io: Io, verbose: boolean): number {
  if (e instanceof FlowError) {
    io.err(`flow: ${e.message}\n`);
    if (verbose && e.detail) io.err(`${e.detail}\n`);
    return e.exitCode;
  }
  const sys = systemFailure(e);
  if (sys) {
    io.err(`flow: ${sys.message}\n`);
    return EXIT.environment;
  }
  io.err(`flow: internal error: ${(e as Error)?.message ?? e}\n`);
  if (verbose) io.err(`${(e as Error)?.stack}\n`);
  else io.err("(this is a bug in flow; run again with -v for the stack trace and report it)\n");
  return EXIT.internal;
}

async function pipelineCommand(name: string, argv: string[], io: Io): Promise<number> {
  // flow's own options (--pipeline/-f FILE, --set k=v) are taken out; everything else
  // belongs to the command.
  let file = findPipeline(process.cwd());
  const sets: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--pipeline" || a === "-f") file = argv[++i] ?? file;
    else if (a === "--set" || a === "-s") sets.push(argv[++i] ?? "");
    else if (a.startsWith("--set=")) sets.push(a.slice(6));
    else rest.push(a);
  }
  const src = readPipelineSource(resolve(file), file);
  const spec = validatePipeline(src);
  const root = resolve(file, "..");
  const mod = await loadCommandModule(spec, root, name, file);
  if (!mod) throw new FlowError("usage", `unknown command '${name}'`);
  const parsed = parseCommandLine(name, mod.cli, rest, io, spec.commands![name]!.description);
  if (!parsed.ok) return parsed.code;
  const params = resolveParams(src, paramSpecs(src, spec), parseSets(sets));
  return mod.command(parsed.input, { root, params, log: (m) => io.err(`${m}\n`), outputStates: (paths) => outputStates(file, sets, paths) });
}

/** For pipeline commands: the state of the nodes that make these output paths (is the file current?). */
async function outputStates(file: string, sets: string[], paths: string[]) {
  const pipeline = await loadPipeline(file, { sets: parseSets(sets), prepare: false });
  const ws = await Workspace.open(pipeline.root, { cacheDir: process.env.FLOW_CACHE_DIR, cacheUrl: process.env.FLOW_CACHE_URL });
  try {
    const planner = new Planner(pipeline, ws);
    const wanted = new Map(paths.map((p) => [resolve(p), p]));
    const out: { path: string; node?: string; state: string; reasons: string[] }[] = [];
    const found = new Set<string>();
    for await (const st of planner.assess()) {
      const n = st.node;
      for (const p of allOutputPaths(n)) {
        const asked = wanted.get(p);
        if (asked !== undefined) {
          out.push({ path: asked, node: n.id, state: st.state, reasons: st.reasons });
          found.add(p);
        }
      }
    }
    for (const [abs, p] of wanted) if (!found.has(abs)) out.push({ path: p, state: "not-an-output", reasons: [] });
    return out;
  } finally {
    await ws.close();
  }
}

function defaultIo(): Io {
  // `flow log | head`: a closed pipe ends the output quietly.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
  });
  return {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    isTTY: !!process.stdout.isTTY,
  };
}
