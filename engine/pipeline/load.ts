// pipeline.yaml → validated spec → params → (prepare) → expanded nodes. Everything
// that can be wrong with the file is found here, before anything runs.
import { dirname, resolve } from "node:path";
import { readPipelineSource } from "./source.js";
import { validatePipeline } from "./validate.js";
import { paramSpecs, resolveParams } from "./params.js";
import { expand } from "./expand.js";
import { runPrepare, checkPrepared } from "./prepare.js";
import type { Pipeline } from "./types.js";
import type { Dag } from "../graph/dag.js";

export interface LoadOptions {
  sets?: Record<string, string>;
  /**
   * Run `prepare:` steps (only `flow run` does). Otherwise a pending step is a
   * "prepare-pending" failure that says what run would create: nothing is written.
   */
  prepare?: boolean;
  log?: (m: string) => void;
}

export async function loadPipeline(file: string, opts: LoadOptions = {}): Promise<Pipeline & { dag: Dag }> {
  const abs = resolve(file);
  const src = readPipelineSource(abs, file); // messages name the file as the user gave it
  const spec = validatePipeline(src);
  const specs = paramSpecs(src, spec);
  const params = resolveParams(src, specs, opts.sets ?? {});
  const root = dirname(abs);
  if (opts.prepare) await runPrepare(src, spec, root, params, specs, opts.log ?? ((m) => process.stderr.write(`${m}\n`)));
  else await checkPrepared(src, spec, root, params, specs);
  const { nodes, deps, dag } = expand(src, spec, params, specs, root);
  return { file: abs, root, spec, params, paramSpecs: specs, nodes, deps, dag };
}
