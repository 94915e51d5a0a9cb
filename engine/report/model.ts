// The data `flow report` puts into its page (as JSON, drawn by the page's script).
import type { GraphLayout } from "./layout.js";

/** One execution of a node: when, where, what it cost. */
export interface Execution {
  /** the run it was part of */
  run?: string;
  start: number;
  end: number;
  ms: number;
  cpuMs?: number;
  maxRssMb?: number;
  /** where it ran: a worker, a shell, a cluster job */
  lane?: string;
  outcome: "ran" | "failed";
  /** from an earlier run than the last (the last only restored it or found it up to date) */
  earlier?: boolean;
}

export interface ReportNode {
  id: string;
  task: string;
  vars: Record<string, string>;
  state: string;
  reasons: string[];
  /** what the last run did to it */
  outcome?: string;
  /** its last execution */
  exec?: Execution;
}

export interface ReportTask {
  id: string;
  description?: string;
  deps: string[];
  foreach: string[];
}

export interface Timeline {
  /** the run shown */
  run?: string;
  items: ({ id: string; task: string } & Execution)[];
  /** said above the timeline when it is not the last run's */
  note?: string;
}

/** min, lower quartile, median, upper quartile, max */
export type Five = [number, number, number, number, number];

export interface TaskSpread {
  task: string;
  /** nodes with a known execution */
  n: number;
  ms?: Five;
  cpuMs?: Five;
  maxRssMb?: Five;
}

export interface ReportData {
  title: string;
  generated: string;
  run?: { id: string; status: string; argv: string[]; executor: string; start: string; wallMs?: number; counts?: Record<string, number> };
  tasks: ReportTask[];
  graph: GraphLayout;
  nodes: ReportNode[];
  failures: { id: string; task: string; reason?: string; error: string; tail?: string }[];
  timeline: Timeline;
  spread: TaskSpread[];
  params: { name: string; value: unknown; previous?: unknown; changed: boolean }[];
  previousRun?: string;
  section?: { title: string; html: string };
}
