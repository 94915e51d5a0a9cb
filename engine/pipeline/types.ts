// The shapes of a pipeline file after parsing, and of the concrete nodes it expands to.

export type Scalar = string | number | boolean;
export type ParamValue = Scalar | ParamValue[] | { [k: string]: ParamValue };

export interface ParamSpec {
  default: ParamValue;
  description?: string;
  /** A filesystem path: may be absolute or point outside the workspace (never empty). */
  path?: boolean;
  /** Becomes part of a path: must not contain '/' or '..'. */
  name?: boolean;
  /** The domain's JSON-Schema keywords (type, minimum, maximum, enum, pattern, items, …). */
  [keyword: string]: unknown;
  /** The compiled domain (set by the loader). */
  check?: ((v: unknown) => boolean) & { errors?: import("ajv").ErrorObject[] | null };
}

export interface SetSpec {
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

export type InputSpec = string | string[] | { from: string; output: string; where?: Record<string, string> };

export type OutputSpec = string | { path: string; over: string };

export type RunSpec = { module: string } | { argv: string[]; code?: string[] };

export interface TaskSpec {
  description?: string;
  run: RunSpec;
  foreach?: string[];
  params?: string[];
  inputs?: Record<string, InputSpec>;
  outputs: Record<string, OutputSpec>;
  /** cluster resources per job; group_size: how many of the task's nodes one SLURM job runs */
  resources?: { memory?: string; cpus?: number; time?: string; group_size?: number };
}

export interface PipelineSpec {
  version: 1;
  description?: string;
  params?: Record<string, ParamValue | ParamSpec>;
  sets?: Record<string, SetSpec>;
  tasks: Record<string, TaskSpec>;
  commands?: Record<string, { module: string; description?: string }>;
  prepare?: PrepareStep[];
  /** the pipeline's section of `flow report` */
  report?: { module: string };
}

/**
 * A `prepare:` step: a pipeline command run by `flow run` before planning. `creates`: only
 * while that path is missing and still has its default value. `when`: only while the
 * text is non-empty and the command's own `pending()` names something to do.
 * `unless`: skipped while that text is non-empty.
 */
export interface PrepareStep {
  creates?: string;
  when?: string;
  unless?: string;
  command: string;
  args?: string[];
}

/** A node input after expansion: one file, or a list (a gather over other nodes). */
export type NodeInput = { kind: "file"; path: string } | { kind: "list"; paths: string[] };
/** A node output after expansion: one file, or one file per member of a set. */
export type NodeOutput = { kind: "file"; path: string } | { kind: "map"; paths: Record<string, string> };

export interface PlanNode {
  id: string;
  task: string;
  /** foreach values, in foreach order: these name the node and are selectable. */
  vars: Record<string, string>;
  /** Values of the params the task declares (they enter the key). */
  params: Record<string, ParamValue>;
  run: RunSpec;
  inputs: Record<string, NodeInput>;
  outputs: Record<string, NodeOutput>;
  resources?: TaskSpec["resources"];
}

export interface Pipeline {
  file: string;
  /** The workspace root: the pipeline file's folder; relative paths resolve here. */
  root: string;
  spec: PipelineSpec;
  params: Record<string, ParamValue>;
  paramSpecs: Record<string, ParamSpec>;
  nodes: PlanNode[];
  /** node id → ids of the nodes it reads from */
  deps: Map<string, string[]>;
}

export function outputPaths(o: NodeOutput): string[] {
  return o.kind === "file" ? [o.path] : Object.values(o.paths);
}
export function inputPaths(i: NodeInput): string[] {
  return i.kind === "file" ? [i.path] : i.paths;
}

/** Every output path of a node. */
export function allOutputPaths(n: PlanNode): string[] {
  return Object.values(n.outputs).flatMap(outputPaths);
}
