// pipeline.yaml → validated definition → params (defaults, the params file, --set) →
// expanded nodes. Everything that can be wrong with the file is found here, before
// anything runs — and nothing is written: `prepare:` steps are a step of `flow run`.
import { dirname, resolve, relative } from "node:path";
import { existsSync } from "node:fs";
import { readYamlSource, type YamlSource } from "./source.js";
import { validatePipeline } from "./validate.js";
import { paramDefs, resolveParams, type ParamsFile } from "./params.js";
import { expand } from "./expand.js";
import type { ParamDef, ParamOrigin, Pipeline, PipelineDef } from "./types.js";
import type { ParamValue } from "../model/graph-node.js";

/** The params file every command reads when it exists: DVC's convention. */
export const PARAMS_FILE = "params.yaml";

export interface LoadOptions {
  /** `--set` values, as typed */
  sets?: Record<string, string>;
  /** --params FILE (relative to the current folder); default: params.yaml beside the pipeline file, if there is one */
  paramsFile?: string;
}

/** A pipeline file read and its params resolved: what every command needs before the graph. */
export interface PipelineSource {
  file: string;
  root: string;
  src: YamlSource;
  def: PipelineDef;
  paramDefs: Record<string, ParamDef>;
  params: Record<string, ParamValue>;
  origins: Record<string, ParamOrigin>;
  /** the params file read, if any (absolute) */
  paramsFile?: string;
}

export function readPipeline(file: string, opts: LoadOptions = {}): PipelineSource {
  const abs = resolve(file);
  const src = readYamlSource(abs, file); // messages name the file as the user gave it
  const def = validatePipeline(src);
  const defs = paramDefs(src, def);
  const root = dirname(abs);
  const paramsPath = opts.paramsFile !== undefined ? resolve(opts.paramsFile) : resolve(root, PARAMS_FILE);
  let pf: ParamsFile | undefined;
  if (opts.paramsFile !== undefined || existsSync(paramsPath)) {
    const shown = opts.paramsFile ?? (relative(process.cwd(), paramsPath) || PARAMS_FILE);
    pf = { src: readYamlSource(paramsPath, shown, "params file"), shown };
  }
  const { values, origins } = resolveParams(src, defs, opts.sets ?? {}, pf);
  return { file: abs, root, src, def, paramDefs: defs, params: values, origins, paramsFile: pf ? paramsPath : undefined };
}

/**
 * The graph. With `placeholders`, sets whose inputs are not there yet (a `prepare:` step
 * would make them) get one member "*", so the graph can be described before it is prepared.
 */
export function expandPipeline(p: PipelineSource, placeholders = false): Pipeline {
  const { nodes, deps, dag, unread } = expand(p.src, p.def, p.params, p.paramDefs, p.root, placeholders);
  return {
    file: p.file,
    root: p.root,
    def: p.def,
    params: p.params,
    paramDefs: p.paramDefs,
    origins: p.origins,
    nodes,
    deps,
    dag,
    placeholders: unread,
  };
}
