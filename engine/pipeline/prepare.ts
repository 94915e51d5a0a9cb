// `prepare:` steps: pipeline commands that create a default input before planning —
// e.g. the embedded example that a fresh clone runs on. A step runs only when its path
// is missing *and* still has its default value: a user who points a param at a path
// that does not exist gets the clear "no such input" error, never generated data.
// Only `flow run` prepares; every other command says what run would prepare.
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { FlowError } from "../errors.js";
import { substitute } from "./template.js";
import type { ParamSpec, ParamValue, PipelineSpec } from "./types.js";
import type { PipelineSource } from "./source.js";
import { loadCommand } from "./commands.js";
import { sweepTemps } from "../store/atomic.js";

interface PendingStep { target: string; command: string; args: string[]; where: string }

/** The steps a run would take now, with every path param resolved against the pipeline's folder. */
export function pendingPrepare(
  src: PipelineSource, spec: PipelineSpec, root: string, params: Record<string, ParamValue>, specs: Record<string, ParamSpec>,
): PendingStep[] {
  const defaults = Object.fromEntries(Object.entries(specs).map(([k, s]) => [k, s.default]));
  // Path params as absolute paths: the command must write where the pipeline reads,
  // whatever folder flow was started from.
  const absolute = (p: Record<string, ParamValue>) => Object.fromEntries(Object.entries(p).map(([k, v]) =>
    [k, specs[k]?.path && typeof v === "string" ? resolve(root, v) : v]));
  const steps: PendingStep[] = [];
  for (const [i, step] of (spec.prepare ?? []).entries()) {
    const where = src.locate(["prepare", i]);
    const scope = (p: Record<string, ParamValue>) => ({ vars: {}, params: absolute(p), specs, where });
    const target = resolve(root, substitute(step.creates, scope(params)));
    if (existsSync(target) || target !== resolve(root, substitute(step.creates, scope(defaults)))) continue;
    steps.push({ target, command: step.command, args: (step.args ?? []).map((a) => substitute(a, scope(params))), where });
  }
  return steps;
}

export async function runPrepare(
  src: PipelineSource, spec: PipelineSpec, root: string, params: Record<string, ParamValue>, specs: Record<string, ParamSpec>,
  log: (m: string) => void,
) {
  for (const step of pendingPrepare(src, spec, root, params, specs)) {
    const fn = await loadCommand(spec, root, step.command, step.where);
    if (!fn) throw new FlowError("pipeline-invalid", `${step.where}: unknown command '${step.command}'`);
    sweepTemps(dirname(step.target)); // what a killed earlier attempt left
    log(`preparing ${step.target} (flow ${step.command} ${step.args.join(" ")})`);
    const code = await fn(step.args, { root, params, log });
    if (code !== 0 || !existsSync(step.target)) throw new FlowError("input-missing", `${step.where}: flow ${step.command} did not create ${step.target}`);
  }
}

/** For commands other than run: the error that says what `flow run` would prepare first. */
export function checkPrepared(
  src: PipelineSource, spec: PipelineSpec, root: string, params: Record<string, ParamValue>, specs: Record<string, ParamSpec>,
) {
  const steps = pendingPrepare(src, spec, root, params, specs);
  if (steps.length === 0) return;
  const what = steps.map((s) => `${s.target} (flow ${s.command} ${s.args.join(" ")})`).join("; ");
  throw new FlowError("prepare-pending", `not prepared yet: 'flow run' first creates ${what}`);
}
