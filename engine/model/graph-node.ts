// The shapes every layer shares: a concrete node of the graph (a task expanded over its
// foreach values), its inputs and outputs, and the hashes that name their contents.
// Types and small pure helpers only: this module sits below everything else.

export type Scalar = string | number | boolean;
export type ParamValue = Scalar | ParamValue[] | { [k: string]: ParamValue };

/** What a task runs: a TypeScript module (in a worker), or an argv (no shell) with the files that are its code. */
export type RunDef = { module: string } | { argv: string[]; code?: string[] };

/** Cluster resources per SLURM job; group_size: how many of the task's nodes one job runs; retries: attempts after a failure. */
export interface Resources {
  memory?: string;
  cpus?: number;
  time?: string;
  group_size?: number;
  retries?: number;
}

/** A node input: one file, or several (a gather over another task's nodes). */
export type NodeInput = { kind: "file"; path: string } | { kind: "files"; paths: string[] };
/** A node output: one file, or one file per member of a set. */
export type NodeOutput = { kind: "file"; path: string } | { kind: "files"; paths: Record<string, string> };

export interface GraphNode {
  id: string;
  task: string;
  /** foreach values, in foreach order: these name the node and are selectable */
  vars: Record<string, string>;
  /** values of the params the task declares (they enter the key) */
  params: Record<string, ParamValue>;
  /**
   * Values of the params that chose the set members this node runs over or gathers
   * (session_ids for a gather over sessions): not in the key — the inputs they choose
   * are — but recorded, so that a reason can name them.
   */
  shape: Record<string, ParamValue>;
  run: RunDef;
  /** commands whose output is part of the node's key: its software environment ("python3 --version") */
  environment: string[];
  inputs: Record<string, NodeInput>;
  outputs: Record<string, NodeOutput>;
  resources?: Resources;
}

/** output name → content hash (a "files" output: member → hash) */
export type OutputHashes = Record<string, string | Record<string, string>>;
/** input name → content hash (a "files" input: one per path, in order) */
export type InputHashes = Record<string, string | string[]>;
/** input or output name → path(s), as a task sees them */
export type PathsOf = Record<string, string | string[]>;
export type OutputPaths = Record<string, string | Record<string, string>>;

export function inputPaths(i: NodeInput): string[] {
  return i.kind === "file" ? [i.path] : i.paths;
}
export function outputPaths(o: NodeOutput): string[] {
  return o.kind === "file" ? [o.path] : Object.values(o.paths);
}
/** Every output path of a node. */
export function allOutputPaths(n: GraphNode): string[] {
  return Object.values(n.outputs).flatMap(outputPaths);
}
/** Input name → path(s), as the task gets them. */
export function inputPathsOf(n: GraphNode): PathsOf {
  return Object.fromEntries(Object.entries(n.inputs).map(([k, i]) => [k, i.kind === "file" ? i.path : i.paths]));
}
/** Output name → path (a "files" output: member → path). */
export function outputPathsOf(n: GraphNode): OutputPaths {
  return Object.fromEntries(Object.entries(n.outputs).map(([k, o]) => [k, o.kind === "file" ? o.path : o.paths]));
}

/**
 * Each output path with the hash the given outputs name for it (undefined where they
 * name none): the one walk over "file" and "files" outputs that restore, the intact
 * check and provenance share.
 */
export function outputPairs(n: GraphNode, hashes: OutputHashes): { name: string; path: string; hash: string | undefined }[] {
  const out: { name: string; path: string; hash: string | undefined }[] = [];
  for (const [name, o] of Object.entries(n.outputs)) {
    const h = hashes[name];
    if (o.kind === "file") out.push({ name, path: o.path, hash: typeof h === "string" ? h : undefined });
    else for (const [m, p] of Object.entries(o.paths)) out.push({ name, path: p, hash: h && typeof h === "object" ? h[m] : undefined });
  }
  return out;
}

/** Every object hash that output hashes name. */
export function hashesOf(o: OutputHashes): string[] {
  return Object.values(o).flatMap((x) => (typeof x === "string" ? [x] : Object.values(x)));
}

/** The task of a node id: `bin[session=1,stimulus=x]` → `bin`. */
export function taskOf(id: string): string {
  const b = id.indexOf("[");
  return b < 0 ? id : id.slice(0, b);
}

/** A node id from its task and foreach values. */
export function nodeId(task: string, vars: Record<string, string>): string {
  const parts = Object.entries(vars).map(([k, v]) => `${k}=${v}`);
  return parts.length ? `${task}[${parts.join(",")}]` : task;
}
