// The CLI: only wiring. Each command lives in commands/; pipeline sub-commands (e.g. the
// Allen pipeline's `flow export`) are modules named in pipeline.yaml. Expected failures
// become one line and an exit code here, and only here.
import { resolve } from "node:path";
import { CommanderError } from "commander";
import { FlowError, EXIT } from "../errors.js";
import { systemFailure } from "../host/errno.js";
import { interruptSignal } from "./interrupt.js";
import type { Io } from "./io.js";
import { run } from "./commands/run.js";
import { status } from "./commands/status.js";
import { invalidate } from "./commands/invalidate.js";
import { log } from "./commands/log.js";
import { dag } from "./commands/dag.js";
import { gc } from "./commands/gc.js";
import { nodeRun } from "./commands/node-run.js";
import { report } from "./commands/report.js";
import { params } from "./commands/params.js";
import { init } from "./commands/init.js";
import { buildProgram, type ListedCommand } from "./program.js";
import { readYamlSource } from "../pipeline/source.js";
import { validatePipeline } from "../pipeline/validate.js";
import { FLOW_VERSION } from "../version.js";
import { pipelineCommand } from "./pipeline-command.js";
import type { PipelineDef } from "../pipeline/types.js";

const builtins = [run, status, invalidate, log, dag, report, gc, params, init, nodeRun];

export async function main(argv: string[], io: Io = defaultIo(), opts: { signals?: boolean } = {}): Promise<number> {
  const [cmd, ...rest] = argv;
  const verbose = rest.includes("--verbose") || rest.includes("-v");
  const interrupts = opts.signals ? interruptSignal(io.err) : undefined;
  if (interrupts) io = { ...io, interrupts };
  try {
    // A builtin needs no look at the pipeline file here; anything else may be one of the
    // pipeline's own commands (flow export …), which parse their own arguments.
    const builtin = builtins.some((b) => b.name === cmd);
    const def = builtin ? undefined : pipelineDef(argv);
    if (cmd && def?.commands?.[cmd]) return await pipelineCommand(cmd, rest, io);
    let code: number = EXIT.usage;
    const listed: ListedCommand[] = Object.entries(def?.commands ?? {}).map(([name, c]) => ({ name, description: c.description }));
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
  } finally {
    interrupts?.off();
  }
}

/** The pipeline file's definition, for listing its commands; undefined if there is none (or it is broken). */
function pipelineDef(argv: string[]): PipelineDef | undefined {
  const i = argv.findIndex((a) => a === "--pipeline" || a === "-f");
  const file = i >= 0 ? (argv[i + 1] ?? "pipeline.yaml") : "pipeline.yaml";
  try {
    return validatePipeline(readYamlSource(resolve(file), file));
  } catch {
    return undefined;
  }
}

/** The one place where a thrown failure becomes a line and an exit code (docs/guide.md: exit codes). */
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
