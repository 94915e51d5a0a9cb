// `flow node-run --job spec.json [--job spec2.json …]`: what a cluster job runs. It
// plans the workspace (on the shared filesystem) once, and for each node checks that its
// key is still the one the head submitted, runs it as the head's own pool would
// (lifecycle/run-here.ts) and stores its results in the shared cache, leaving
// `<key>.result` — with the provenance record, which the head appends — beside the spec.
// The head restores the results from the cache. Not meant to be typed by hand.
import { dirname, join } from "node:path";
import { list, type CommandSpec, type Values } from "../options.js";
import { openSession, type Io } from "../io.js";
import { readConfig } from "../../session/config.js";
import { LocalExecutor } from "../../exec/local.js";
import { runHere } from "../../lifecycle/run-here.js";
import type { LifecycleContext } from "../../lifecycle/context.js";
import { writeTaskOutput } from "../../records/task-output.js";
import type { ProvenanceRecord } from "../../records/provenance.js";
import { FlowError } from "../../errors.js";
import { readJsonRecord } from "../../host/records.js";
import { writeFileAtomic } from "../../host/temp.js";
import { allOutputPaths } from "../../model/graph-node.js";
import type { NodeJobResult, NodeJobSpec } from "../../exec/slurm.js";
import type { Session } from "../../session/session.js";
import type { Planner } from "../../plan/planner.js";
import type { Cache } from "../../cache/cache.js";
import type { Executor } from "../../exec/executor.js";

/** The job specs, checked against their schema. */
function readSpecs(files: string[], io: Io) {
  return files.map((file) => {
    const spec = readJsonRecord<NodeJobSpec>(file, "slurm-job", (m) => io.err(`flow node-run: ${m}\n`), false);
    if (!spec) throw new FlowError("io-error", `${file}: not a valid job spec`);
    return { file, spec };
  });
}

/** The lifecycle as a cluster job uses it: it stores into the shared cache and reports the provenance (the head records both). */
function jobContext(
  session: Session,
  planner: Planner,
  cache: Cache,
  executor: Executor,
  io: Io,
  spec: NodeJobSpec,
  report: (r: ProvenanceRecord) => void,
): LifecycleContext {
  return {
    root: session.root,
    planner,
    cache,
    executor,
    state: session.workspace.state,
    stat: session.workspace.stat,
    tmpDir: session.workspace.tmpDir,
    provenance: { append: report },
    taskOutput: (key, text) => writeTaskOutput(session.cacheDir, key, text),
    logger: { emit: (e) => (e.type === "node-log" ? io.out(`${e.id}: ${e.line}\n`) : undefined) },
    claimed: new Set(session.graph.nodes.flatMap(allOutputPaths)),
    runId: spec.run,
    live: true,
    materialise: false,
  };
}

/** One node of the job: checked against the key the head submitted, run, and its outcome left beside its spec. */
async function runOne(
  session: Session,
  planner: Planner,
  cache: Cache,
  executor: Executor,
  io: Io,
  file: string,
  spec: NodeJobSpec,
): Promise<boolean> {
  let provenance: ProvenanceRecord | undefined;
  const ctx = jobContext(session, planner, cache, executor, io, spec, (r) => (provenance = r));
  const node = session.graph.nodes.find((n) => n.id === spec.node);
  const a = node && (await planner.assess(node));
  let error: string | undefined;
  let usage: NodeJobResult["usage"];
  if (!node || !a) error = `no node ${spec.node} in ${spec.pipeline}`;
  else if (!a.key) error = `inputs not ready: ${a.reasons.join("; ")}`;
  else if (a.key !== spec.key)
    error = `the workspace changed since the job was submitted (key ${a.key.slice(0, 12)}, submitted ${spec.key.slice(0, 12)})`;
  else {
    const o = await runHere(node, a, ctx, { id: node.id, startedAt: Date.now(), key: a.key, reasons: a.reasons });
    usage = o.usage;
    if (!o.ok) {
      error = o.message;
      if (o.detail) io.err(`${o.detail}\n`);
    }
  }
  const result: NodeJobResult = error ? { ok: false, error, usage } : { ok: true, usage };
  writeFileAtomic(join(dirname(file), `${spec.key}.result`), JSON.stringify({ ...result, provenance }));
  if (error) io.err(`flow node-run: ${spec.node}: ${error}\n`);
  else io.out(`flow node-run: ${spec.node} stored in the cache\n`);
  return !error;
}

async function nodeRunCommand(_positionals: string[], values: Values, io: Io): Promise<number> {
  const files = list(values, "job");
  if (files.length === 0) throw new FlowError("usage", "flow node-run --job <spec.json> [--job …]");
  const specs = readSpecs(files, io);
  const first = specs[0]!.spec; // one group: one pipeline, one set of params and cache
  // the cache URL and the secret come in the job's environment (sbatch exports the head's), never in a file
  const input = {
    file: first.pipeline,
    set: Object.entries(first.sets).map(([k, v]) => `${k}=${v}`),
    params: first.paramsFile,
    cacheDir: first.cacheDir,
    link: first.link,
  };
  const session = await openSession(input, io, "plan", readConfig(input));
  const executor = new LocalExecutor({ workerNodeOptions: session.config.workerNodeOptions, shellNodeOptions: session.config.shellNodeOptions });
  try {
    const planner = await session.planner();
    const cache = await session.cache();
    for await (const _ of planner.assessAll(session.graph.dag.closureUp(specs.map((s) => s.spec.node)))) void _;
    let failed = 0;
    for (const { file, spec } of specs) if (!(await runOne(session, planner, cache, executor, io, file, spec))) failed++;
    return failed ? 1 : 0;
  } finally {
    await executor.close();
    await session.close();
  }
}

export const nodeRun: CommandSpec = {
  name: "node-run",
  summary: "run nodes inside a cluster job (flow's own plumbing)",
  args: "",
  options: [{ flags: "--job <spec.json>", description: "a node to run (repeatable)", repeat: true, noDash: true }],
  hidden: true,
  noCommon: true,
  run: nodeRunCommand,
};
