// Pipeline sub-commands (`commands:` in pipeline.yaml): the CLI and `prepare:` steps
// load them the same way.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { FlowError } from "../errors.js";
import type { PipelineSpec } from "./types.js";
import type { CommandFn, CommandModule } from "../task.js";

/** The `command` export of the module a pipeline command names, or undefined if unknown. */
export async function loadCommand(spec: PipelineSpec, root: string, name: string, where: string): Promise<CommandFn | undefined> {
  const cmd = spec.commands?.[name];
  if (!cmd) return undefined;
  const mod = await import(pathToFileURL(resolve(root, cmd.module)).href);
  if (typeof mod.command !== "function") throw new FlowError("pipeline-invalid", `${where}: commands.${name}: ${cmd.module} exports no command()`);
  return mod.command as CommandFn;
}

/** The module of a pipeline command: `command`, and `pending` where it has one. */
export async function loadCommandModule(spec: PipelineSpec, root: string, name: string, where: string): Promise<CommandModule> {
  const command = await loadCommand(spec, root, name, where);
  if (!command) throw new FlowError("pipeline-invalid", `${where}: unknown command '${name}'`);
  const cmd = spec.commands![name]!;
  const mod = await import(pathToFileURL(resolve(root, cmd.module)).href);
  if (mod.pending !== undefined && typeof mod.pending !== "function")
    throw new FlowError("pipeline-invalid", `${where}: commands.${name}: ${cmd.module}'s pending export is not a function`);
  return { command, pending: mod.pending };
}
