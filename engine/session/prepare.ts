// `prepare:` steps: pipeline commands that create inputs before planning — a step of
// `flow run`, taken with the workspace lock held (two runs on a fresh clone must not both
// generate the example, the second replacing the folder the first is reading).
// - `creates:` e.g. the embedded example a fresh clone runs on. It runs only when its
//   path is missing *and* still has its default value: a user who points a param at a
//   path that does not exist gets the clear "no such input" error, never generated data.
// - `when:` e.g. fetching missing input files from a source that a param names. It runs
//   only while that text is non-empty and the command's `pending()` export (which must
//   not touch the network) names something to do — so a complete folder costs nothing.
// Every other command says what run would prepare, and does nothing.
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { FlowError } from "../errors.js";
import { substitute } from "../pipeline/template.js";
import type { PipelineSource } from "../pipeline/load.js";
import type { ParamValue } from "../model/graph-node.js";
import { loadCommandModule } from "../api/modules.js";
import type { CommandCli, CommandContext, CommandInput } from "../api/command.js";
import { sweepTemps, tempSibling } from "../host/temp.js";
import { Lock } from "../host/lock.js";
import { redactUrl } from "../host/redact.js";

/** Reads a step's arguments as its command declares them (flow's one command-line parser, injected by the CLI). */
export type StepParser = (name: string, cli: CommandCli, argv: string[], where: string) => CommandInput;

export interface PendingStep {
  /** what the step does, for messages: "creates <path>", or what the command's pending() said */
  what: string;
  /** a path the step must have created (creates: steps) */
  target?: string;
  command: string;
  args: string[];
  where: string;
}

/** A step as one line: what it does, and the command it runs (credentials redacted). */
export const describeStep = (s: PendingStep) => `${s.what} (flow ${s.command} ${s.args.map(redactUrl).join(" ")})`;

/** Path params as absolute paths: the command must write where the pipeline reads, whatever folder flow was started from. */
function absolute(p: PipelineSource, params: Record<string, ParamValue>) {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, p.paramDefs[k]?.path && typeof v === "string" ? resolve(p.root, v) : v]));
}

async function stepModule(p: PipelineSource, name: string, where: string) {
  const mod = await loadCommandModule(p.def, p.root, name, where);
  if (!mod) throw new FlowError("pipeline-invalid", `${where}: unknown command '${name}'`);
  return mod;
}

/** The steps a run would take now (no side effects: a `when:` step's pending() must not touch the network). */
export async function pendingPrepare(p: PipelineSource, parse: StepParser): Promise<PendingStep[]> {
  const defaults = Object.fromEntries(Object.entries(p.paramDefs).map(([k, s]) => [k, s.default]));
  const steps: PendingStep[] = [];
  for (const [i, step] of (p.def.prepare ?? []).entries()) {
    const where = p.src.locate(["prepare", i]);
    const scope = (params: Record<string, ParamValue>) => ({ vars: {}, params: absolute(p, params), defs: p.paramDefs, where });
    const args = (step.args ?? []).map((a) => substitute(a, scope(p.params)));
    if (step.unless !== undefined && substitute(step.unless, scope(p.params)) !== "") continue;
    if (step.creates !== undefined) {
      const target = resolve(p.root, substitute(step.creates, scope(p.params)));
      if (existsSync(target) || target !== resolve(p.root, substitute(step.creates, scope(defaults)))) continue;
      steps.push({ what: `creates ${target}`, target, command: step.command, args, where });
    } else if (step.when !== undefined && substitute(step.when, scope(p.params)) !== "") {
      const mod = await stepModule(p, step.command, where);
      const what = mod.pending
        ? await mod.pending(parse(step.command, mod.cli, args, where), { root: p.root, params: p.params, log: () => {} })
        : `flow ${step.command}`;
      if (what) steps.push({ what, command: step.command, args, where });
    }
  }
  return steps;
}

/** The capabilities a command gets (api/command.ts). */
export function commandContext(root: string, params: Record<string, ParamValue>, log: (m: string) => void): CommandContext {
  return {
    root,
    params,
    log,
    async exclusive(path, what, fn) {
      const lock = new Lock(path);
      lock.acquire(what);
      try {
        return await fn();
      } finally {
        lock.release();
      }
    },
    async atomicFolder(final, fill) {
      if (existsSync(final)) throw new FlowError("usage", `${final} already exists`);
      mkdirSync(dirname(final), { recursive: true });
      const tmp = tempSibling(final);
      mkdirSync(tmp);
      try {
        const r = await fill(tmp);
        renameSync(tmp, final);
        return r;
      } catch (e) {
        rmSync(tmp, { recursive: true, force: true });
        throw e;
      }
    },
  };
}

/** Runs the pending steps (the caller holds the workspace lock). */
export async function runPrepare(p: PipelineSource, steps: PendingStep[], parse: StepParser, log: (m: string) => void) {
  for (const step of steps) {
    const { command, cli } = await stepModule(p, step.command, step.where);
    const input = parse(step.command, cli, step.args, step.where);
    if (step.target) sweepTemps(dirname(step.target)); // what a killed earlier attempt left
    log(`preparing: ${describeStep(step)}`);
    const code = await command(input, commandContext(p.root, p.params, log));
    if (code !== 0) throw new FlowError("input-missing", `${step.where}: flow ${step.command} failed (exit ${code})`);
    if (step.target && !existsSync(step.target))
      throw new FlowError("input-missing", `${step.where}: flow ${step.command} did not create ${step.target}`);
  }
}
