// `flow report [-o FILE]`: the run history, states and timing as one HTML page, with a
// section the pipeline contributes through `report: { module }` in pipeline.yaml (the
// module's `section(ctx)` returns a title and HTML; the engine knows nothing of it).
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { DirectedGraph } from "graphology";
import { topologicalGenerations } from "graphology-dag";
import { splitFile, common, str, type CommandSpec, type Values } from "../args.js";
import { openContext, type Io } from "../context.js";
import { Planner } from "../../plan/plan.js";
import { readRun, resolveRunId, redactValue } from "../../records/runs.js";
import { reportHtml, type ReportData, type ReportNode } from "../../report/html.js";
import { canonical } from "../../hash/canonical.js";
import { FlowError } from "../../errors.js";
import type { ReportSection, ReportContext } from "../../task.js";

async function reportCommand(positionals: string[], values: Values, io: Io): Promise<number> {
  const { file } = splitFile(positionals);
  const { pipeline, ws } = await openContext({ ...common(values), file });
  try {
    const runsDir = join(ws.flowDir, "runs");
    const lastId = resolveRunId(runsDir, "last");
    const last = lastId ? readRun(runsDir, lastId) : undefined;
    const prevId = resolveRunId(runsDir, "last~1");
    const prev = prevId ? readRun(runsDir, prevId) : undefined;
    const ran = new Map((last?.nodes ?? []).map((n) => [n.id, n]));

    const planner = new Planner(pipeline, ws);
    const nodes: ReportNode[] = [];
    for await (const st of planner.assess()) {
      const n = st.node;
      const r = ran.get(n.id);
      nodes.push({
        id: n.id,
        task: n.task,
        vars: n.vars,
        state: st.state,
        reasons: st.reasons,
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
    // The task graph, in columns by topological generation (graphology-dag).
    const g = new DirectedGraph();
    for (const t of Object.keys(pipeline.spec.tasks)) g.addNode(t);
    const taskOf = new Map(pipeline.nodes.map((n) => [n.id, n.task]));
    for (const [id, deps] of pipeline.deps)
      for (const d of deps) {
        const a = taskOf.get(d)!,
          b = taskOf.get(id)!;
        if (a !== b && !g.hasEdge(a, b)) g.addDirectedEdge(a, b);
      }
    const layer = new Map<string, number>();
    topologicalGenerations(g).forEach((gen, i) => {
      for (const t of gen) layer.set(t, i);
    });
    const tasks = Object.entries(pipeline.spec.tasks).map(([id, t]) => ({
      id,
      description: t.description,
      layer: layer.get(id) ?? 0,
      deps: g.inNeighbors(id),
      foreach: t.foreach ?? [],
    }));

    const shown = redactValue(last?.header.params ?? pipeline.params);
    const before = prev?.header.params;
    const params = Object.entries(shown).map(([name, value]) => ({
      name,
      value,
      previous: before?.[name],
      changed: !!before && canonical(before[name]) !== canonical(value),
    }));

    let section: ReportSection | undefined;
    const hook = pipeline.spec.report;
    if (hook) {
      const mod = await import(pathToFileURL(resolve(pipeline.root, hook.module)).href);
      if (typeof mod.section !== "function") throw new FlowError("pipeline-invalid", `report.module: ${hook.module} exports no section()`);
      const ctx: ReportContext = {
        root: pipeline.root,
        params: pipeline.params,
        outputs: (task) =>
          pipeline.nodes
            .filter((n) => n.task === task)
            .map((n) => ({
              vars: n.vars,
              paths: Object.fromEntries(Object.entries(n.outputs).map(([k, o]) => [k, o.kind === "file" ? o.path : o.paths])),
            })),
      };
      section = await mod.section(ctx);
    }

    const data: ReportData = {
      title: pipeline.spec.description ?? "flow report",
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
      tasks,
      nodes,
      params,
      previousRun: prev?.header.id,
      section,
    };
    const out = resolve(str(values, "output") ?? "flow-report.html");
    writeFileSync(out, reportHtml(data));
    io.out(`${out}\n`);
    return 0;
  } finally {
    await ws.close();
  }
}

export const report: CommandSpec = {
  name: "report",
  summary: "one HTML page: the last run, states, timeline, nodes, params",
  description:
    "Writes one self-contained HTML page (no network; opens from disk): a summary of the last run, the task graph coloured by state (click a task for its nodes), a timeline of the last run with one lane per worker or cluster job, a sortable table of nodes (state, why stale, duration, peak RSS, what the last run did), the params and what changed since the run before, and the pipeline's own section.",
  args: "[file]",
  options: [{ flags: "-o, --output <file.html>", description: "where to write it (default flow-report.html)", noDash: true }],
  run: reportCommand,
};
