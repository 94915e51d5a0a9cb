// Per task, the spread of its nodes' duration, CPU time and peak memory over their last
// executions (as Nextflow's report shows): five numbers each, for a box plot.
import type { Five, ReportNode, TaskSpread } from "./model.js";

/** The five-number summary (quartiles by linear interpolation, as numpy.percentile). */
function five(values: number[]): Five | undefined {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const q = (p: number) => {
    const i = p * (v.length - 1),
      lo = Math.floor(i),
      hi = Math.ceil(i);
    return v[lo]! + (v[hi]! - v[lo]!) * (i - lo);
  };
  return [v[0]!, q(0.25), q(0.5), q(0.75), v[v.length - 1]!];
}

export function taskSpread(tasks: string[], nodes: ReportNode[]): TaskSpread[] {
  return tasks.map((task) => {
    const ex = nodes.filter((n) => n.task === task && n.exec).map((n) => n.exec!);
    const pick = (k: "ms" | "cpuMs" | "maxRssMb") => five(ex.map((e) => e[k]).filter((x): x is number => x !== undefined));
    return { task, n: ex.length, ms: pick("ms"), cpuMs: pick("cpuMs"), maxRssMb: pick("maxRssMb") };
  });
}
