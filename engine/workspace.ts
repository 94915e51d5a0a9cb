// Everything a command needs about where things live: the workspace (.flow/: state,
// stat cache, lock) and the cache (objects, index, records), injected into the planner
// and the scheduler so tests can point them anywhere.
import { join, resolve } from "node:path";
import { StatCache } from "./hash/file-hash.js";
import { CodeVersions } from "./hash/code-version.js";
import { ObjectStore, type LinkMode } from "./store/objects.js";
import { ActionIndex } from "./store/index.js";
import { WorkspaceState } from "./store/workspace-state.js";
import { Records } from "./records/records.js";
import { Lock } from "./lock/lock.js";

export { FLOW_VERSION } from "./version.js";

export interface WorkspaceOptions {
  cacheDir?: string;
  cacheUrl?: string;
  link?: LinkMode;
}

export class Workspace {
  readonly flowDir: string;
  readonly cacheDir: string;
  readonly stat: StatCache;
  readonly code: CodeVersions;
  readonly objects: ObjectStore;
  readonly state: WorkspaceState;
  readonly records: Records;
  readonly lock: Lock;
  readonly tmpDir: string;
  /** how restores put objects into the workspace (--link) */
  readonly linkMode: LinkMode;

  private constructor(
    readonly root: string,
    readonly index: ActionIndex,
    opts: WorkspaceOptions,
  ) {
    this.flowDir = join(root, ".flow");
    this.cacheDir = resolve(root, opts.cacheDir ?? "cache");
    this.stat = new StatCache(join(this.flowDir, "stat-cache.json"));
    this.code = new CodeVersions(root);
    this.objects = new ObjectStore(join(this.cacheDir, "objects"));
    this.state = new WorkspaceState(this.flowDir);
    this.records = new Records(join(this.cacheDir, "records"));
    this.lock = new Lock(join(this.flowDir, "lock"));
    this.tmpDir = join(this.flowDir, "tmp");
    this.linkMode = opts.link ?? "copy";
  }

  static async open(root: string, opts: WorkspaceOptions = {}): Promise<Workspace> {
    const cacheDir = resolve(root, opts.cacheDir ?? "cache");
    const index = await ActionIndex.open(join(cacheDir, "index"), opts.cacheUrl);
    return new Workspace(root, index, opts);
  }

  async close() {
    this.stat.save();
    await this.stat.close();
    await this.index.close();
  }
}
