// What `flow report` shows, gathered from the session: the last run and the one before,
// every node's state now with what the last run did to it, the task graph, the params
// and what changed, and the pipeline's own section.
import { topologicalGenerations } from "graphology-dag";
import type { Session } from "../session/session.js";
import { readRun, resolveRunId, type RunInfo } from "../records/runs.js";
import { redactValue } from "../host/redact.js";
import { canonical } from "../hash/canonical.js";
import { taskGraph } from "../graph/task-graph.js";
import { loadSectionModule } from "../api/modules.js";
import { outputPathsOf } from "../model/graph-node.js";
import type { Pipeline } from "../pipeline/types.js";
import type { ReportData, ReportNode } from "./html.js";

/** Every node's state now, with what the last run did to it and what it cost. */
async function nodesNow(session: Session, last: RunInfo | undefined): Promise<ReportNode[]> {
  const ran = new Map((last?.nodes ?? []).map((n) => [n.id, n]));
  const planner = await session.planner();
  const nodes: ReportNode[] = [];
  for await (const a of planner.assessAll()) {
    const n = a.node;
    const r = ran.get(n.id);
    nodes.push({
      id: n.id,
      task: n.task,
      vars: n.vars,
      state: a.state,
      reasons: a.reasons,
      ...(r
        ? {
            outcome: r.outcome,
            ms: r.ms,
            cpuMs: r.cpuMs,
            maxRssMb: r.maxRssMb,
            lane: r.lane,
            start: Date.parse(r.start),
            end: Date.parse(r.end),
            error: r.error,
          }
        : {}),
    });
  }
  return nodes;
}

/** The task graph, in columns by topological generation (graphology-dag). */
function tasksOf(pipeline: Pipeline): ReportData["tasks"] {
  const g = taskGraph(Object.keys(pipeline.def.tasks), pipeline.deps);
  const layer = new Map<string, number>();
  topologicalGenerations(g).forEach((gen, i) => {
    for (const t of gen) layer.set(t, i);
  });
  return Object.entries(pipeline.def.tasks).map(([id, t]) => ({
    id,
    description: t.description,
    layer: layer.get(id) ?? 0,
    deps: g.inNeighbors(id),
    foreach: t.foreach ?? [],
  }));
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
    tasks: tasksOf(pipeline),
    nodes: await nodesNow(session, last),
    params: paramsOf(pipeline, last, prev),
    previousRun: prev?.header.id,
    section: await sectionOf(pipeline),
  };
}
