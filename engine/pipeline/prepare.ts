// `prepare:` steps: pipeline commands that create inputs before planning.
// - `creates:` e.g. the embedded example that a fresh clone runs on. It runs only when
//   its path is missing *and* still has its default value: a user who points a param at
//   a path that does not exist gets the clear "no such input" error, never generated data.
// - `when:` e.g. fetching missing input files from a source that a param names. It runs
//   only while that text is non-empty and the command's `pending()` export (which must
//   not touch the network) names something to do — so a complete folder costs nothing.
// Only `flow run` prepares; every other command says what run would prepare.
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { FlowError } from "../errors.js";
import { substitute } from "./template.js";
import type { ParamSpec, ParamValue, PipelineSpec } from "./types.js";
import type { PipelineSource } from "./source.js";
import { loadCommandModule, parseStepLine } from "./commands.js";
import { sweepTemps } from "../store/atomic.js";
import { redactUrl } from "../redact.js";

interface PendingStep {
  /** what the step does, for messages: "creates <path>", or what the command's pending() said */
  what: string;
  /** a path the step must have created (creates: steps) */
  target?: string;
  command: string;
  args: string[];
  where: string;
}

/** The steps a run would take now, with every path param resolved against the pipeline's folder. */
export async function pendingPrepare(
  src: PipelineSource,
  spec: PipelineSpec,
  root: string,
  params: Record<string, ParamValue>,
  specs: Record<string, ParamSpec>,
): Promise<PendingStep[]> {
  const defaults = Object.fromEntries(Object.entries(specs).map(([k, s]) => [k, s.default]));
  // Path params as absolute paths: the command must write where the pipeline reads,
  // whatever folder flow was started from.
  const absolute = (p: Record<string, ParamValue>) =>
    Object.fromEntries(Object.entries(p).map(([k, v]) => [k, specs[k]?.path && typeof v === "string" ? resolve(root, v) : v]));
  const steps: PendingStep[] = [];
  for (const [i, step] of (spec.prepare ?? []).entries()) {
    const where = src.locate(["prepare", i]);
    const scope = (p: Record<string, ParamValue>) => ({ vars: {}, params: absolute(p), specs, where });
    const args = (step.args ?? []).map((a) => substitute(a, scope(params)));
    if (step.unless !== undefined && substitute(step.unless, scope(params)) !== "") continue;
    if (step.creates !== undefined) {
      const target = resolve(root, substitute(step.creates, scope(params)));
      if (existsSync(target) || target !== resolve(root, substitute(step.creates, scope(defaults)))) continue;
      steps.push({ what: `creates ${target}`, target, command: step.command, args, where });
    } else if (step.when !== undefined && substitute(step.when, scope(params)) !== "") {
      const mod = await stepModule(spec, root, step.command, where);
      const what = mod.pending
        ? await mod.pending(parseStepLine(step.command, mod.cli, args, where), { root, params, log: () => {} })
        : `flow ${step.command}`;
      if (what) steps.push({ what, command: step.command, args, where });
    }
  }
  return steps;
}

async function stepModule(spec: PipelineSpec, root: string, name: string, where: string) {
  const mod = await loadCommandModule(spec, root, name, where);
  if (!mod) throw new FlowError("pipeline-invalid", `${where}: unknown command '${name}'`);
  return mod;
}

export async function runPrepare(
  src: PipelineSource,
  spec: PipelineSpec,
  root: string,
  params: Record<string, ParamValue>,
  specs: Record<string, ParamSpec>,
  log: (m: string) => void,
) {
  for (const step of await pendingPrepare(src, spec, root, params, specs)) {
    const { command, cli } = await stepModule(spec, root, step.command, step.where);
    const input = parseStepLine(step.command, cli, step.args, step.where);
    if (step.target) sweepTemps(dirname(step.target)); // what a killed earlier attempt left
    log(`preparing: ${step.what} (flow ${step.command} ${step.args.map(redactUrl).join(" ")})`);
    const code = await command(input, { root, params, log });
    if (code !== 0) throw new FlowError("input-missing", `${step.where}: flow ${step.command} failed (exit ${code})`);
    if (step.target && !existsSync(step.target))
      throw new FlowError("input-missing", `${step.where}: flow ${step.command} did not create ${step.target}`);
  }
}

/** For commands other than run: the error that says what `flow run` would prepare first. */
export async function checkPrepared(
  src: PipelineSource,
  spec: PipelineSpec,
  root: string,
  params: Record<string, ParamValue>,
  specs: Record<string, ParamSpec>,
) {
  const steps = await pendingPrepare(src, spec, root, params, specs);
  if (steps.length === 0) return;
  const what = steps.map((s) => `${s.what} (flow ${s.command} ${s.args.map(redactUrl).join(" ")})`).join("; ");
  throw new FlowError("prepare-pending", `not prepared yet: 'flow run' first ${what}`);
}
