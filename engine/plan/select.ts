// Selectors: `key=value` matches a node's foreach value, `task=<id>` its task; several
// AND together. A selector that matches nothing lists what would have matched.
import { FlowError } from "../errors.js";
import type { PlanNode } from "../pipeline/types.js";

export interface Selector { key: string; value: string }

export function parseSelectors(args: string[]): Selector[] {
  return args.map((a) => {
    const eq = a.indexOf("=");
    if (eq <= 0 || eq === a.length - 1) throw new FlowError("selector-invalid", `selector '${a}': expected key=value (e.g. stimulus=dot_motion, task=bin)`);
    return { key: a.slice(0, eq), value: a.slice(eq + 1) };
  });
}

/** Every selector key of the graph (task and the foreach names) with its values. */
function selectorValues(nodes: PlanNode[]): Map<string, Set<string>> {
  const values = new Map<string, Set<string>>([["task", new Set(nodes.map((n) => n.task))]]);
  for (const n of nodes) for (const [k, v] of Object.entries(n.vars)) {
    if (!values.has(k)) values.set(k, new Set());
    values.get(k)!.add(v);
  }
  return values;
}

/**
 * Refuses a selector whose key no node has (`nmae=a`). Values are not checked: `flow log`
 * also shows nodes of earlier runs that the graph no longer has.
 */
export function checkSelectorKeys(nodes: PlanNode[], sels: Selector[]): Map<string, Set<string>> {
  const values = selectorValues(nodes);
  for (const s of sels) if (!values.has(s.key)) {
    throw new FlowError("selector-invalid", `selector '${s.key}=${s.value}': unknown key '${s.key}' (keys: ${[...values.keys()].join(", ")})`);
  }
  return values;
}

export function selectNodes(nodes: PlanNode[], sels: Selector[]): PlanNode[] {
  const values = checkSelectorKeys(nodes, sels);
  for (const s of sels) {
    const vs = values.get(s.key)!;
    if (!vs.has(s.value)) {
      const list = [...vs];
      const shown = list.slice(0, 20).join(", ") + (list.length > 20 ? `, … (${list.length} in all)` : "");
      throw new FlowError("selector-invalid", `selector '${s.key}=${s.value}': no node has ${s.key}=${s.value} (values: ${shown})`);
    }
  }
  const hit = nodes.filter((n) => sels.every((s) => (s.key === "task" ? n.task === s.value : n.vars[s.key] === s.value)));
  if (hit.length === 0) {
    throw new FlowError("selector-invalid", `selectors ${sels.map((s) => `${s.key}=${s.value}`).join(" ")} match no node together`);
  }
  return hit;
}
