// The CLI: only wiring. Each command lives in commands/; pipeline sub-commands
// (e.g. the Allen pipeline's `flow export`) are modules named in pipeline.yaml.
import { resolve } from "node:path";
import { FlowError, EXIT, systemFailure } from "../errors.js";
import { installSignalHandlers } from "./interrupt.js";
import type { Io } from "./context.js";
import { runCommand, help as runHelp } from "./commands/run.js";
import { statusCommand } from "./commands/status.js";
import { invalidateCommand } from "./commands/invalidate.js";
import { logCommand } from "./commands/log.js";
import { dagCommand } from "./commands/dag.js";
import { gcCommand } from "./commands/gc.js";
import { nodeRunCommand } from "./commands/node-run.js";
import { readPipelineSource } from "../pipeline/source.js";
import { validatePipeline } from "../pipeline/validate.js";
import { paramSpecs, resolveParams, parseSets } from "../pipeline/params.js";
import { FLOW_VERSION } from "../workspace.js";
import { loadCommand } from "../pipeline/commands.js";

const commands: Record<string, (argv: string[], io: Io) => Promise<number>> = {
  run: runCommand, status: statusCommand, invalidate: invalidateCommand,
  log: logCommand, dag: dagCommand, gc: gcCommand, "node-run": nodeRunCommand,
};

const usage = `flow ${FLOW_VERSION} — a content-addressed workflow engine

Usage: flow <command> [file] [options]
  run         run what is stale (restore what the cache has)
  status      every node's state, and why it is stale
  invalidate  force nodes (and their dependents) to re-run
  log         provenance of executed nodes
  dag         the graph as DOT or Mermaid
  gc          drop unreferenced cache objects
  <name>      a pipeline command declared in pipeline.yaml (e.g. export)
'flow <command> --help' for each.

${runHelp.split("\n").slice(-9).join("\n")}`;

export async function main(argv: string[], io: Io = defaultIo(), opts: { signals?: boolean } = {}): Promise<number> {
  const [cmd, ...rest] = argv;
  const verbose = rest.includes("--verbose") || rest.includes("-v");
  if (opts.signals) installSignalHandlers(io.err);
  try {
    if (!cmd || cmd === "--help" || cmd === "-h" || cmd === "help") {
      io.out(usage + "\n");
      return cmd ? 0 : 2;
    }
    if (cmd === "--version") return io.out(`${FLOW_VERSION}\n`), 0;
    const fn = commands[cmd];
    if (fn) return await fn(rest, io);
    return await pipelineCommand(cmd, rest, io);
  } catch (e) {
    return reportError(e, io, verbose);
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
  // node:util parseArgs in a pipeline command: an unknown option or a missing value
  const code = (e as { code?: string })?.code;
  if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) {
    io.err(`flow: ${(e as Error).message.replace(/\. To specify.*$/s, "")}\n`);
    return EXIT.usage;
  }
  io.err(`flow: internal error: ${(e as Error)?.message ?? e}\n`);
  if (verbose) io.err(`${(e as Error)?.stack}\n`);
  else io.err("(this is a bug in flow; run again with -v for the stack trace and report it)\n");
  return EXIT.internal;
}

async function pipelineCommand(name: string, argv: string[], io: Io): Promise<number> {
  // flow's own options (--pipeline/-f FILE, --set k=v) are taken out; everything else
  // belongs to the command.
  let file = "pipeline.yaml";
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
  const fn = await loadCommand(spec, root, name, file);
  if (!fn) {
    const known = [...Object.keys(commands), ...Object.keys(spec.commands ?? {})].join(", ");
    throw new FlowError("usage", `unknown command '${name}' (commands: ${known})`);
  }
  const params = resolveParams(src, paramSpecs(src, spec), parseSets(sets));
  return fn(rest, { root, params, log: (m) => io.err(`${m}\n`) });
}

function defaultIo(): Io {
  // `flow log | head`: a closed pipe ends the output quietly.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => { if (e.code === "EPIPE") process.exit(0); });
  return {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    isTTY: !!process.stdout.isTTY,
  };
}
