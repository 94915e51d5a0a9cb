// Loads the pipeline and opens the workspace the way every command does.
import { loadPipeline } from "../pipeline/load.js";
import { parseSets } from "../pipeline/params.js";
import { Workspace } from "../workspace.js";
import { LINK_MODES, type LinkMode } from "../store/objects.js";
import { FlowError } from "../errors.js";
import type { Executor } from "../exec/types.js";

export interface Common {
  file: string;
  set?: string[];
  "cache-dir"?: string;
  "cache-url"?: string;
  link?: string;
}

export async function openContext(o: Common, opts: { prepare?: boolean } = {}) {
  const pipeline = await loadPipeline(o.file, { sets: parseSets(o.set ?? []), prepare: opts.prepare });
  return { pipeline, ws: await openWorkspace(pipeline.root, o) };
}

/** The workspace (its records, cache and index) beside a pipeline file, without loading the pipeline. */
export async function openWorkspace(root: string, o: Omit<Common, "file">) {
  const link = o.link ?? process.env.FLOW_LINK;
  if (link !== undefined && !LINK_MODES.includes(link as LinkMode)) throw new FlowError("usage", `--link ${link}: expected ${LINK_MODES.join(", ")}`);
  return Workspace.open(root, {
    cacheDir: o["cache-dir"] ?? process.env.FLOW_CACHE_DIR,
    cacheUrl: o["cache-url"] ?? process.env.FLOW_CACHE_URL,
    link: link as LinkMode | undefined,
  });
}

export interface Io {
  out(s: string): void;
  err(s: string): void;
  isTTY: boolean;
  /**
   * A worker pool the caller keeps across runs (the in-process test tier): local runs
   * use it and leave it open. Without one, each run starts its own and ends it. The
   * caller must only share it between runs whose task modules do not change (a worker
   * keeps the modules it imported).
   */
  workers?: Executor;
}
