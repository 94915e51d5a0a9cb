// The CLI: only wiring. Each command lives in commands/; pipeline sub-commands
// (e.g. the Allen pipeline's `flow export`) are modules named in pipeline.yaml.
import { resolve } from "node:path";
import { FlowError } from "../errors.js";
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

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  const [cmd, ...rest] = argv;
  const verbose = rest.includes("--verbose") || rest.includes("-v");
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
    if (e instanceof FlowError) {
      io.err(`flow: ${e.message}\n`);
      return e.exitCode;
    }
    io.err(`flow: internal error: ${(e as Error)?.message ?? e}\n`);
    if (verbose) io.err(`${(e as Error)?.stack}\n`);
    else io.err("(run again with --verbose for the stack trace)\n");
    return 70;
  }
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
  const params = resolveParams(src, paramSpecs(spec), parseSets(sets));
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
