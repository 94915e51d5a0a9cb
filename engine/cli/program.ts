// The one command-line parser (commander) for flow's own commands: every command's
// options come from its CommandSpec; help is generated and lists the pipeline's own
// commands; unknown commands and options get one line (with "did you mean"), and exit 2.
import { Command, Option, InvalidArgumentError } from "commander";
import { commonOptions, type CommandSpec, type Values } from "./options.js";
import type { Io } from "./io.js";

export interface ListedCommand {
  name: string;
  description?: string;
}

/**
 * Builds the program. `result` receives the exit code of the command that ran;
 * pipeline commands are listed (help, suggestions) but run outside commander.
 */
export function buildProgram(
  version: string,
  specs: CommandSpec[],
  pipelineCommands: ListedCommand[],
  io: Io,
  result: (code: number) => void,
): Command {
  const program = new Command("flow")
    .description("a content-addressed workflow engine")
    .version(version, "--version", "print flow's version")
    .usage("<command> [file] [options]")
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: io.out,
      writeErr: io.err,
      outputError: (s, write) => write(s.replace(/^error: /, "flow: ")),
    })
    .addHelpText("after", "\n'flow <command> --help' for each command's options.");
  for (const spec of specs) {
    const c = program
      .command(spec.name, { hidden: spec.hidden })
      .summary(spec.summary)
      .description((spec.description ?? spec.summary).replace(/(?<!\n)\n(?!\n)/g, " ")) // one line per paragraph: commander wraps
      .usage(`${spec.args} [options]`)
      .argument("[args...]")
      .exitOverride()
      .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: (s, write) => write(s.replace(/^error: /, "flow: ")) });
    for (const o of [...spec.options, ...(spec.noCommon ? [] : commonOptions)]) {
      const opt = new Option(o.flags, o.description);
      if (o.repeat || o.noDash) {
        opt.argParser((v: string, prev: unknown) => {
          if (o.noDash && v.startsWith("-")) throw new InvalidArgumentError(`'${v}' looks like an option, not a value`);
          return o.repeat ? [...((prev as string[] | undefined) ?? []), v] : v;
        });
      }
      c.addOption(opt);
    }
    c.action(async (args: string[], _opts: unknown, cmd: Command) => {
      const values: Values = {};
      for (const o of cmd.options) if (o.long) values[o.long.slice(2)] = cmd.opts()[o.attributeName()] as Values[string];
      result(await spec.run(args, values, io));
    });
  }
  for (const p of pipelineCommands) {
    // listed and suggested here; run by main() with their own arguments
    program
      .command(p.name)
      .summary(`${p.description ?? ""} (from pipeline.yaml)`.trim())
      .allowUnknownOption()
      .allowExcessArguments()
      .helpOption(false);
  }
  return program;
}
