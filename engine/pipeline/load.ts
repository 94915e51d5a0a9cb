// pipeline.yaml → validated spec → params → expanded nodes. Everything that can be
// wrong with the file is found here, before anything runs.
import { dirname, resolve } from "node:path";
import { readPipelineSource } from "./source.js";
import { validatePipeline } from "./validate.js";
import { paramSpecs, resolveParams } from "./params.js";
import { expand } from "./expand.js";
import type { Pipeline } from "./types.js";
import type { Dag } from "../graph/dag.js";

export interface LoadOptions { sets?: Record<string, string> }

export function loadPipeline(file: string, opts: LoadOptions = {}): Pipeline & { dag: Dag } {
  const abs = resolve(file);
  const src = readPipelineSource(abs);
  src.file = file; // messages name the file as the user gave it
  const spec = validatePipeline(src);
  const specs = paramSpecs(spec);
  const params = resolveParams(src, specs, opts.sets ?? {});
  const root = dirname(abs);
  const { nodes, deps, dag } = expand(src, spec, params, specs, root);
  return { file: abs, root, spec, params, paramSpecs: specs, nodes, deps, dag };
}
