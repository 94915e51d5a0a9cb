// A workspace: the folder of pipeline.yaml and its `.flow/` — the state of its nodes, the
// stat cache, the lock, temp folders of running tasks, run records, cluster job files.
// (The cache — objects and index — is another concern, and may be shared: engine/cache/.)
import { join } from "node:path";
import { StatCache } from "../hash/stat-cache.js";
import type { HashThreads } from "../hash/hash-threads.js";
import { Lock } from "../host/lock.js";
import type { Warn } from "../host/records.js";
import { WorkspaceState } from "./state.js";

export class Workspace {
  readonly flowDir: string;
  readonly tmpDir: string;
  readonly runsDir: string;
  readonly slurmDir: string;
  readonly state: WorkspaceState;
  readonly stat: StatCache;
  readonly lock: Lock;

  constructor(
    readonly root: string,
    threads: HashThreads,
    warn?: Warn,
  ) {
    this.flowDir = join(root, ".flow");
    this.tmpDir = join(this.flowDir, "tmp");
    this.runsDir = join(this.flowDir, "runs");
    this.slurmDir = join(this.flowDir, "slurm");
    this.state = new WorkspaceState(this.flowDir, warn);
    this.stat = new StatCache(join(this.flowDir, "stat-cache.json"), threads, warn);
    this.lock = new Lock(join(this.flowDir, "lock"));
  }

  /** Keeps what was learned about files (the stat cache). */
  save() {
    this.stat.save();
  }
}
