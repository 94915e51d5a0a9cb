// Loading the modules a pipeline names — its commands (`commands:`, used by the CLI and
// by `prepare:` steps) and its report section (`report:`) — each checked for the exports
// the contract (command.ts) asks of it.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { FlowError } from "../errors.js";
import type { PipelineDef } from "../pipeline/types.js";
import type { CommandModule, SectionFn } from "./command.js";

/** The module a pipeline command names, checked; undefined if the name is not a command. */
export async function loadCommandModule(def: PipelineDef, root: string, name: string, where: string): Promise<CommandModule | undefined> {
  const cmd = def.commands?.[name];
  if (!cmd) return undefined;
  const mod = await import(pathToFileURL(resolve(root, cmd.module)).href);
  const bad = (what: string) => new FlowError("pipeline-invalid", `${where}: commands.${name}: ${cmd.module} ${what}`);
  if (typeof mod.command !== "function") throw bad("exports no command()");
  if (!mod.cli || typeof mod.cli.args !== "string" || !Array.isArray(mod.cli.options)) throw bad("exports no cli { args, options } declaration");
  if (mod.pending !== undefined && typeof mod.pending !== "function") throw bad("exports a pending that is not a function");
  return { command: mod.command, cli: mod.cli, pending: mod.pending };
}

/** The pipeline's report section, if it names one. */
export async function loadSectionModule(def: PipelineDef, root: string): Promise<SectionFn | undefined> {
  const hook = def.report;
  if (!hook) return undefined;
  const mod = await import(pathToFileURL(resolve(root, hook.module)).href);
  if (typeof mod.section !== "function") throw new FlowError("pipeline-invalid", `report.module: ${hook.module} exports no section()`);
  return mod.section as SectionFn;
}
