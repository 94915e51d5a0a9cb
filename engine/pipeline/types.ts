// What a pipeline file declares, after parsing and schema validation, and the pipeline
// it expands to. (The shapes of concrete nodes are engine/model/graph-node.ts.)
import type { Dag } from "../graph/dag.js";
import type { GraphNode, ParamValue, Resources, Scalar } from "../model/graph-node.js";

export interface ParamDef {
  default: ParamValue;
  description?: string;
  /** A filesystem path: may be absolute or point outside the workspace (never empty); `~` is the home folder. */
  path?: boolean;
  /** Becomes part of a path: must not contain '/' or '..'. */
  name?: boolean;
  /** The domain's JSON-Schema keywords (type, minimum, maximum, enum, pattern, items, …). */
  [keyword: string]: unknown;
  /** The compiled domain (set by the loader). */
  check?: ((v: unknown) => boolean) & { errors?: import("ajv").ErrorObject[] | null };
}

export interface SetDef {
  values?: Scalar[];
  param?: string;
  glob?: string;
  /** a CSV table whose `column` lists the members (the glob is used when the table is absent) */
  table?: string;
  column?: string;
  /** table column → list param; an empty list keeps every row */
  where?: Record<string, string>;
  description?: string;
}

export type InputDef = string | string[] | { from: string; output: string; where?: Record<string, string> };

export type OutputDef = string | { path: string; over: string };

/** How a task's `run:` may be written; `script:` becomes an argv at load. */
export type RunWritten =
  { module: string } | { argv: string[]; code?: string[] } | { script: string; interpreter?: string; args?: string[]; code?: string[] };

export interface TaskDef {
  description?: string;
  run: RunWritten;
  foreach?: string[];
  params?: string[];
  environment?: string[];
  inputs?: Record<string, InputDef>;
  outputs: Record<string, OutputDef>;
  resources?: Resources;
}

export interface PipelineDef {
  version: 1;
  description?: string;
  params?: Record<string, ParamValue | ParamDef>;
  sets?: Record<string, SetDef>;
  tasks: Record<string, TaskDef>;
  commands?: Record<string, { module: string; description?: string }>;
  prepare?: PrepareStep[];
  /** the pipeline's section of `flow report` */
  report?: { module: string };
}

/**
 * A `prepare:` step: a pipeline command run by `flow run` (under the workspace lock)
 * before planning. `creates`: only while that path is missing and still has its default
 * value. `when`: only while the text is non-empty and the command's own `pending()`
 * names something to do. `unless`: skipped while that text is non-empty.
 */
export interface PrepareStep {
  creates?: string;
  when?: string;
  unless?: string;
  command: string;
  args?: string[];
}

/** Where each param's value came from (`flow params`). */
export type ParamOrigin = "default" | { file: string } | "--set";

export interface Pipeline {
  /** the pipeline file, absolute */
  file: string;
  /** The workspace root: the pipeline file's folder; relative paths resolve here. */
  root: string;
  def: PipelineDef;
  params: Record<string, ParamValue>;
  paramDefs: Record<string, ParamDef>;
  origins: Record<string, ParamOrigin>;
  nodes: GraphNode[];
  /** node id → ids of the nodes it reads from */
  deps: Map<string, string[]>;
  dag: Dag;
  /**
   * Sets that could not be read because a `prepare:` step has not made their inputs yet:
   * each stands for one placeholder member ("*"), so the graph can be described.
   */
  placeholders: string[];
}
