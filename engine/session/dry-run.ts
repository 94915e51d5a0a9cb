// `flow run --dry-run`: what a run would prepare, run and restore — and nothing done.
// Before `prepare:` has made the inputs, the graph is described with one placeholder
// member ("*") for each set it cannot read yet.
import { selectFromArgs } from "../plan/select.js";
import type { Session } from "./session.js";
import { describeStep } from "./prepare.js";

export async function dryRun(session: Session, args: string[], out: (s: string) => void, json: boolean): Promise<number> {
  const pipeline = session.graph;
  const wanted = args.length ? pipeline.dag.closureUp(selectFromArgs(pipeline.nodes, args).map((n) => n.id)) : undefined;
  const planner = await session.planner();
  const plan: { id: string; action: string; reasons: string[] }[] = [];
  for await (const a of planner.assessAll(wanted)) {
    const action = a.state === "up-to-date" ? "up-to-date" : a.state === "restorable" ? "restore" : "run";
    plan.push({ id: a.node.id, action, reasons: a.reasons });
  }
  const prepare = session.pending.map(describeStep);
  const placeholders = pipeline.placeholders;
  if (json) {
    out(JSON.stringify(prepare.length ? { prepare, placeholders, plan } : plan) + "\n");
    return 0;
  }
  for (const p of prepare) out(`would prepare: ${p}\n`);
  if (placeholders.length) out(`(until then the members of ${placeholders.map((s) => `'${s}'`).join(", ")} are not known: * stands for them)\n`);
  for (const p of plan)
    if (p.action !== "up-to-date")
      out(`${p.action === "run" ? "would run    " : "would restore"} ${p.id}${p.reasons.length ? `  (${p.reasons.join("; ")})` : ""}\n`);
  const count = (a: string) => plan.filter((p) => p.action === a).length;
  out(
    `dry run: ${prepare.length ? `${prepare.length} prepare step(s), ` : ""}${count("run")} to run, ${count("restore")} to restore, ${count("up-to-date")} up to date\n`,
  );
  return 0;
}
