// A pipeline command's command line, read with flow's one parser (commander) as its `cli`
// export declares it — for `flow <command>` and for `prepare:` steps alike.
import { Command, CommanderError, Option } from "commander";
import { FlowError } from "../errors.js";
import { redactUrl } from "../host/redact.js";
import type { CommandCli, CommandInput } from "../api/command.js";

export interface CommandOutput {
  out(s: string): void;
  err(s: string): void;
}

/**
 * The parsed input, or the exit code when help was printed (0) or the line was refused
 * (2, with one "flow: …" line on err).
 */
export function parseCommandLine(
  name: string,
  cli: CommandCli,
  argv: string[],
  io: CommandOutput,
  summary?: string,
): { ok: true; input: CommandInput } | { ok: false; code: number } {
  const c = new Command(`flow ${name}`)
    .description([summary, cli.description].filter(Boolean).join("\n\n"))
    .exitOverride()
    .allowExcessArguments(false)
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: (s, write) => write(s.replace(/^error: /, "flow: ")) })
    .addHelpText(
      "after",
      "\nflow reads -s, --set <name=value> (a param; repeatable), --params <file> and -f, --pipeline <file> before the command's own options.",
    )
    .action(() => {});
  for (const a of cli.args.split(/\s+/).filter(Boolean)) c.argument(a);
  for (const o of cli.options) {
    const opt = new Option(o.flags, o.description);
    if (o.default !== undefined) opt.default(o.default);
    if (o.choices) opt.choices(o.choices);
    c.addOption(opt);
  }
  try {
    c.parse(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) return { ok: false, code: e.exitCode === 0 ? 0 : 2 };
    throw e;
  }
  const options: CommandInput["options"] = {};
  for (const o of c.options) if (o.long) options[o.long.slice(2)] = c.opts()[o.attributeName()] as string | boolean | undefined;
  return { ok: true, input: { args: c.args, options } };
}

/** For prepare: steps (arguments written in pipeline.yaml): a refused line is a pipeline error naming the step. */
export function parseStepLine(name: string, cli: CommandCli, argv: string[], where: string): CommandInput {
  let said = "";
  const r = parseCommandLine(name, cli, argv, { out: (s) => (said += s), err: (s) => (said += s) });
  if (!r.ok) throw new FlowError("pipeline-invalid", `${where}: flow ${name} ${argv.map(redactUrl).join(" ")}: ${said.trim().split("\n")[0]}`);
  return r.input;
}
