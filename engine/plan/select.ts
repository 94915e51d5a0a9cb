// Selectors: `key=value` matches a node's foreach value, `task=<id>` its task; several
// AND together. Targets — a node id (`bin[session=1,stimulus=flashes]`), an output path
// (`data/02_stimulus_types/flashes.h5`) or a folder of outputs — pick the nodes that
// make them, as make and Snakemake take files; several OR together, and key=value
// selectors then narrow them. A selector that matches nothing lists what would have.
import { resolve, sep } from "node:path";
import { FlowError } from "../errors.js";
import { allOutputPaths, type GraphNode } from "../model/graph-node.js";

export interface Selector {
  key: string;
  value: string;
}
/** A node id or a path (relative to the folder flow was started in). */
export interface Target {
  target: string;
}

const NODE_ID = /^[A-Za-z][A-Za-z0-9_-]*\[.*\]$/;

export function parseSelectors(args: string[]): Selector[] {
  return args.map((a) => {
    const eq = a.indexOf("=");
    if (eq <= 0 || eq === a.length - 1)
      throw new FlowError("selector-invalid", `selector '${a}': expected key=value (e.g. stimulus=dot_motion, task=bin)`);
    return { key: a.slice(0, eq), value: a.slice(eq + 1) };
  });
}

/** key=value selectors, and targets: anything else (a node id, or a path). */
export function parseArgsToSelection(args: string[]): { sels: Selector[]; targets: Target[] } {
  const targets = args.filter((a) => NODE_ID.test(a) || !a.includes("=")).map((target) => ({ target }));
  const sels = parseSelectors(args.filter((a) => !NODE_ID.test(a) && a.includes("=")));
  return { sels, targets };
}

/** The nodes a command line picks: targets (or all nodes) narrowed by key=value selectors. */
export function selectFromArgs(nodes: GraphNode[], args: string[], cwd = process.cwd()): GraphNode[] {
  const { sels, targets } = parseArgsToSelection(args);
  const base = targets.length ? nodesOfTargets(nodes, targets, cwd) : nodes;
  return sels.length ? selectNodes(base, sels, nodes) : base;
}

function nodesOfTargets(nodes: GraphNode[], targets: Target[], cwd: string): GraphNode[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  let byPath: Map<string, GraphNode> | undefined;
  const hit = new Set<GraphNode>();
  for (const { target } of targets) {
    const n = byId.get(target);
    if (n) {
      hit.add(n);
      continue;
    }
    if (!byPath) {
      byPath = new Map();
      for (const x of nodes) for (const p of allOutputPaths(x)) byPath.set(p, x);
    }
    const path = resolve(cwd, target);
    const maker = byPath.get(path);
    if (maker) {
      hit.add(maker);
      continue;
    }
    const under = [...byPath].filter(([p]) => p.startsWith(path + sep)).map(([, x]) => x);
    if (under.length) {
      for (const x of under) hit.add(x);
      continue;
    }
    throw new FlowError(
      "selector-invalid",
      `'${target}' is not a node, nor an output of one, nor a folder of outputs (${path}); selectors are key=value, e.g. stimulus=dot_motion`,
    );
  }
  return nodes.filter((n) => hit.has(n)); // graph order
}

/** Every selector key of the graph (task and the foreach names) with its values. */
function selectorValues(nodes: GraphNode[]): Map<string, Set<string>> {
  const values = new Map<string, Set<string>>([["task", new Set(nodes.map((n) => n.task))]]);
  for (const n of nodes)
    for (const [k, v] of Object.entries(n.vars)) {
      if (!values.has(k)) values.set(k, new Set());
      values.get(k)!.add(v);
    }
  return values;
}

/**
 * Refuses a selector whose key no node has (`nmae=a`). Values are not checked: `flow log`
 * also shows nodes of earlier runs that the graph no longer has.
 */
export function checkSelectorKeys(nodes: GraphNode[], sels: Selector[]): Map<string, Set<string>> {
  const values = selectorValues(nodes);
  for (const s of sels)
    if (!values.has(s.key)) {
      throw new FlowError("selector-invalid", `selector '${s.key}=${s.value}': unknown key '${s.key}' (keys: ${[...values.keys()].join(", ")})`);
    }
  return values;
}

/** Whether a node (of the graph, or as a record names it) matches every key=value selector: the one matcher. */
export function matches(n: { task: string; vars: Record<string, string> }, sels: Selector[]): boolean {
  return sels.every((s) => (s.key === "task" ? n.task === s.value : n.vars[s.key] === s.value));
}

export function selectNodes(nodes: GraphNode[], sels: Selector[], all: GraphNode[] = nodes): GraphNode[] {
  const values = checkSelectorKeys(all, sels);
  for (const s of sels) {
    const vs = values.get(s.key)!;
    if (!vs.has(s.value)) {
      const list = [...vs];
      const shown = list.slice(0, 20).join(", ") + (list.length > 20 ? `, … (${list.length} in all)` : "");
      throw new FlowError("selector-invalid", `selector '${s.key}=${s.value}': no node has ${s.key}=${s.value} (values: ${shown})`);
    }
  }
  const hit = nodes.filter((n) => matches(n, sels));
  if (hit.length === 0) {
    throw new FlowError("selector-invalid", `selectors ${sels.map((s) => `${s.key}=${s.value}`).join(" ")} match no node together`);
  }
  return hit;
}
