// Pipeline sub-commands (`commands:` in pipeline.yaml): the CLI and `prepare:` steps
// load them the same way, and read their command lines with the same parser as flow's
// own commands (commander), from the `cli` declaration each module exports.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Command, CommanderError, Option } from "commander";
import { FlowError } from "../errors.js";
import { redactUrl } from "../redact.js";
import type { PipelineSpec } from "./types.js";
import type { CommandCli, CommandInput, CommandModule } from "../task.js";

/** The module a pipeline command names, checked; undefined if the name is not a command. */
export async function loadCommandModule(spec: PipelineSpec, root: string, name: string, where: string): Promise<CommandModule | undefined> {
  const cmd = spec.commands?.[name];
  if (!cmd) return undefined;
  const mod = await import(pathToFileURL(resolve(root, cmd.module)).href);
  const bad = (what: string) => new FlowError("pipeline-invalid", `${where}: commands.${name}: ${cmd.module} ${what}`);
  if (typeof mod.command !== "function") throw bad("exports no command()");
  if (!mod.cli || typeof mod.cli.args !== "string" || !Array.isArray(mod.cli.options)) throw bad("exports no cli { args, options } declaration");
  if (mod.pending !== undefined && typeof mod.pending !== "function") throw bad("exports a pending that is not a function");
  return { command: mod.command, cli: mod.cli, pending: mod.pending };
}

export interface CommandOutput {
  out(s: string): void;
  err(s: string): void;
}

/**
 * Reads a pipeline command's arguments with commander, as declared by its `cli`:
 * the parsed input, or the exit code when help was printed (0) or the line was refused
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
    .addHelpText("after", "\nflow reads -s, --set <name=value> (a param; repeatable) and -f, --pipeline <file> before the command's own options.")
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
