// `prepare:` steps: pipeline commands that create a default input before planning —
// e.g. the embedded example that a fresh clone runs on. A step runs only when its path
// is missing *and* still has its default value: a user who points a param at a path
// that does not exist gets the clear "no such input" error, never generated data.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { FlowError } from "../errors.js";
import { substitute } from "./template.js";
import type { ParamSpec, ParamValue, PipelineSpec } from "./types.js";
import type { PipelineSource } from "./source.js";
import { loadCommand } from "./commands.js";

export async function runPrepare(
  src: PipelineSource, spec: PipelineSpec, root: string, params: Record<string, ParamValue>, specs: Record<string, ParamSpec>,
  log: (m: string) => void,
) {
  const defaults = Object.fromEntries(Object.entries(specs).map(([k, s]) => [k, s.default]));
  for (const [i, step] of (spec.prepare ?? []).entries()) {
    const where = src.locate(["prepare", i]);
    const scope = (p: Record<string, ParamValue>) => ({ vars: {}, params: p, specs, where });
    const target = resolve(root, substitute(step.creates, scope(params)));
    if (existsSync(target) || target !== resolve(root, substitute(step.creates, scope(defaults)))) continue;
    const fn = await loadCommand(spec, root, step.command, where);
    if (!fn) throw new FlowError("pipeline-invalid", `${where}: unknown command '${step.command}'`);
    const args = (step.args ?? []).map((a) => substitute(a, scope(params)));
    log(`preparing ${target} (flow ${step.command} ${args.join(" ")})`);
    const code = await fn(args, { root, params, log });
    if (code !== 0 || !existsSync(target)) throw new FlowError("input-missing", `${where}: flow ${step.command} did not create ${target}`);
  }
}
