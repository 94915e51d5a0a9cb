// What the node lifecycle works with: injected by the run (session/run.ts) — or by a test,
// with an in-memory cache and a fake executor.
import type { Planner } from "../plan/planner.js";
import type { Cache } from "../cache/cache.js";
import type { Executor } from "../exec/executor.js";
import type { WorkspaceState } from "../workspace/state.js";
import type { StatCache } from "../hash/stat-cache.js";
import type { ProvenanceRecord } from "../records/provenance.js";
import type { Logger } from "../model/events.js";

export interface LifecycleContext {
  root: string;
  planner: Planner;
  cache: Cache;
  executor: Executor;
  state: WorkspaceState;
  stat: StatCache;
  /** where a task's temp outputs go (.flow/tmp) */
  tmpDir: string;
  /** where each execution's provenance record goes (the head: cache/records; a cluster job: its result file) */
  provenance: { append(r: ProvenanceRecord): void };
  /** keeps what a task printed (cache/logs) */
  taskOutput(key: string, text: string): void;
  logger: Logger;
  /** every output path of the graph: an old output of a node is removed only if no node makes it now */
  claimed: Set<string>;
  runId?: string;
  /** forward what tasks print as they print it (flow run -v) */
  live: boolean;
  /**
   * Whether a node that ran is put into the workspace and recorded there. A cluster job
   * only stores into the cache: the head restores and records (its appends must come
   * from one host).
   */
  materialise: boolean;
}
