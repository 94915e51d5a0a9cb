// What `flow report` shows, gathered from the session: the last run and the one before,
// every node's state now with its last execution (from the last run, or — when that run
// only restored or found it up to date — from the provenance records of the run that made
// its current outputs), the failures of the last run with the tail of their output, the
// task graph laid out, per task the spread of duration, CPU and memory, the params and
// what changed, and the pipeline's own section.
import type { Session } from "../session/session.js";
import { readRun, resolveRunId, type RunInfo, type RunNode } from "../records/runs.js";
import type { ProvenanceRecord } from "../records/provenance.js";
import { readTaskOutput } from "../records/task-output.js";
import { redactText, redactValue } from "../host/redact.js";
import { canonical } from "../hash/canonical.js";
import { taskGraph } from "../graph/task-graph.js";
import { loadSectionModule } from "../api/modules.js";
import { outputPathsOf } from "../model/graph-node.js";
import type { Pipeline } from "../pipeline/types.js";
import { layoutTasks } from "./layout.js";
import { taskSpread } from "./spread.js";
import type { Execution, ReportData, ReportNode, Timeline } from "./model.js";

/** Lines of a failed node's output shown under its error. */
const TAIL_LINES = 30;

const executed = (r: RunNode) => r.outcome === "ran" || r.outcome === "failed";

function fromRun(r: RunNode, run: string): Execution {
  return {
    run,
    start: Date.parse(r.start),
    end: Date.parse(r.end),
    ms: r.ms,
    cpuMs: r.cpuMs,
    maxRssMb: r.maxRssMb,
    lane: r.lane,
    outcome: r.outcome === "failed" ? "failed" : "ran",
  };
}

function fromProvenance(p: ProvenanceRecord): Execution {
  const start = Date.parse(p.start),
    end = Date.parse(p.end);
  return {
    run: p.run,
    start,
    end,
    ms: end - start,
    cpuMs: p.cpuMs,
    maxRssMb: p.maxRssMb,
    lane: p.lane,
    outcome: p.status === "ok" ? "ran" : "failed",
  };
}

/** Each node's latest successful execution under its current key (what made its outputs), else its latest at all. */
function lastExecutions(records: ProvenanceRecord[], keys: Map<string, string | undefined>): Map<string, ProvenanceRecord> {
  const best = new Map<string, ProvenanceRecord>();
  for (const r of records) {
    if (!keys.has(r.node)) continue;
    const cur = best.get(r.node);
    const matches = (x: ProvenanceRecord) => x.status === "ok" && x.key === keys.get(r.node);
    if (!cur || matches(r) || !matches(cur)) best.set(r.node, r); // records come sorted by start
  }
  return best;
}

/** Every node's state now, with its last execution and what it cost. */
async function nodesNow(session: Session, last: RunInfo | undefined): Promise<ReportNode[]> {
  const ran = new Map((last?.nodes ?? []).map((n) => [n.id, n]));
  const planner = await session.planner();
  const nodes: ReportNode[] = [];
  const keys = new Map<string, string | undefined>();
  for await (const a of planner.assessAll()) {
    const r = ran.get(a.node.id);
    keys.set(a.node.id, a.key);
    nodes.push({
      id: a.node.id,
      task: a.node.task,
      vars: a.node.vars,
      state: a.state,
      reasons: a.reasons,
      outcome: r?.outcome,
      ...(r && executed(r) ? { exec: fromRun(r, last!.header.id) } : {}),
    });
  }
  // nodes the last run did not execute: their last execution, from the provenance records
  const missing = nodes.filter((n) => !n.exec);
  if (missing.length) {
    const found = lastExecutions(session.provenance().all(), new Map(missing.map((n) => [n.id, keys.get(n.id)])));
    for (const n of missing) {
      const p = found.get(n.id);
      if (p) n.exec = { ...fromProvenance(p), earlier: true };
    }
  }
  return nodes;
}

/** The last run's executions; after a run that executed nothing, the run that last executed any of today's nodes. */
function timelineOf(nodes: ReportNode[], last: RunInfo | undefined): Timeline {
  const item = (n: ReportNode) => ({ id: n.id, task: n.task, ...n.exec! });
  const inLast = nodes.filter((n) => n.exec && !n.exec.earlier);
  if (inLast.length) return { run: last?.header.id, items: inLast.map(item) };
  const earlier = nodes.filter((n) => n.exec?.run);
  if (!earlier.length)
    return { items: [], note: last ? "The last run executed no node, and no earlier execution of these nodes is recorded." : "No run recorded yet." };
  const run = earlier
    .map((n) => n.exec!.run!)
    .sort()
    .pop()!;
  const items = earlier.filter((n) => n.exec!.run === run).map(item);
  return {
    run,
    items,
    note: `${last ? `The last run (${last.header.id}) executed no node` : "No run is recorded in this workspace"}: this is run ${run}, the latest that executed any of them (${items.length} nodes, from the provenance records). The node table shows each node's own last execution.`,
  };
}

/** Failed nodes of the last run, with the tail of what they printed (credentials redacted). */
function failuresOf(session: Session, last: RunInfo | undefined): ReportData["failures"] {
  return (last?.nodes ?? [])
    .filter((n) => n.outcome === "failed")
    .map((n) => {
      const text = n.key ? readTaskOutput(session.cacheDir, n.key) : undefined;
      const tail = text?.trimEnd().split("\n").slice(-TAIL_LINES).join("\n");
      return { id: n.id, task: n.task, reason: n.reason, error: redactText(n.error ?? "failed"), ...(tail ? { tail: redactText(tail) } : {}) };
    });
}

/** The task graph: tasks, their dependencies, and dagre's layout of them. */
function tasksOf(pipeline: Pipeline): Pick<ReportData, "tasks" | "graph"> {
  const ids = Object.keys(pipeline.def.tasks);
  const g = taskGraph(ids, pipeline.deps);
  const tasks = Object.entries(pipeline.def.tasks).map(([id, t]) => ({
    id,
    description: t.description,
    deps: g.inNeighbors(id),
    foreach: t.foreach ?? [],
  }));
  return {
    tasks,
    graph: layoutTasks(
      ids,
      tasks.flatMap((t) => t.deps.map((d): [string, string] => [d, t.id])),
    ),
  };
}

/** The params of the last run (credentials redacted), and what changed since the run before. */
function paramsOf(pipeline: Pipeline, last: RunInfo | undefined, prev: RunInfo | undefined): ReportData["params"] {
  const shown = redactValue(last?.header.params ?? pipeline.params);
  const before = prev?.header.params;
  return Object.entries(shown).map(([name, value]) => ({
    name,
    value,
    previous: before?.[name],
    changed: !!before && canonical(before[name]) !== canonical(value),
  }));
}

async function sectionOf(pipeline: Pipeline): Promise<ReportData["section"]> {
  const section = await loadSectionModule(pipeline.def, pipeline.root);
  return section?.({
    root: pipeline.root,
    params: pipeline.params,
    outputs: (task) => pipeline.nodes.filter((n) => n.task === task).map((n) => ({ vars: n.vars, paths: outputPathsOf(n) })),
  });
}

export async function reportData(session: Session): Promise<ReportData> {
  const pipeline = session.graph;
  const runsDir = session.workspace.runsDir;
  const at = (which: string) => {
    const id = resolveRunId(runsDir, which);
    return id ? readRun(runsDir, id) : undefined;
  };
  const last = at("last");
  const prev = at("last~1");
  const nodes = await nodesNow(session, last);
  return {
    title: pipeline.def.description ?? "flow report",
    generated: new Date().toISOString(),
    run: last
      ? {
          id: last.header.id,
          status: last.end?.status ?? "no end recorded",
          argv: redactValue(last.header.argv),
          executor: last.header.executor,
          start: last.header.start,
          wallMs: last.end?.wallMs,
          counts: last.end?.counts,
        }
      : undefined,
    ...tasksOf(pipeline),
    nodes,
    failures: failuresOf(session, last),
    timeline: timelineOf(nodes, last),
    spread: taskSpread(Object.keys(pipeline.def.tasks), nodes),
    params: paramsOf(pipeline, last, prev),
    previousRun: prev?.header.id,
    section: await sectionOf(pipeline),
  };
}
