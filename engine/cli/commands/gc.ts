// `flow gc`: frees cache space. Kept: what this workspace's outputs are now (its state),
// what the last K runs produced or restored (--keep-runs, default 3), and — with
// --older-than — anything younger. Everything else goes: objects, the index entries
// that point at them, temp files of dead writers. A shared cache (another folder or a
// server index) keeps colleagues' results younger than 30 days unless told otherwise.
import { join, relative } from "node:path";
import { splitFile, common, str, flag, type CommandSpec, type Values } from "../args.js";
import { openContext, type Io } from "../context.js";
import type { OutputHashes } from "../../store/index.js";
import { collectGarbage } from "../../store/gc.js";
import { readRun, runIds } from "../../records/runs.js";
import { FlowError } from "../../errors.js";

/** "30d", "12h", "90m", "0" → milliseconds. */
export function parseAge(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw]?)$/.exec(s.trim());
  if (!m) throw new FlowError("usage", `--older-than ${s}: expected a number with a unit, e.g. 30d, 12h, 90m`);
  const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3, "": 86400e3 }[m[2] as "s"]!;
  return Number(m[1]) * unit;
}

const hashesOf = (o: OutputHashes) => Object.values(o).flatMap((x) => (typeof x === "string" ? [x] : Object.values(x)));

async function gcCommand(positionals: string[], values: Values, io: Io): Promise<number> {
  const { file } = splitFile(positionals);
  const keepRuns = Number(str(values, "keep-runs") ?? 3);
  if (!Number.isInteger(keepRuns) || keepRuns < 0)
    throw new FlowError("usage", `--keep-runs ${str(values, "keep-runs")}: expected a whole number ≥ 0`);
  const { pipeline, ws } = await openContext({ ...common(values), file });
  const shared = !!(str(values, "cache-url") ?? process.env.FLOW_CACHE_URL) || relative(pipeline.root, ws.cacheDir).startsWith("..");
  const olderThan = str(values, "older-than") ?? (shared ? "30d" : undefined);
  const minAgeMs = olderThan === undefined ? 0 : parseAge(olderThan);
  const dry = flag(values, "dry-run");
  try {
    ws.lock.acquire("flow gc");
    try {
      const now = Date.now();
      // 1. what is kept: the workspace's outputs now, and what the last K runs produced
      const keep = new Set<string>();
      for (const s of ws.state.all().values()) for (const h of hashesOf(s.outputs)) keep.add(h);
      const keys = new Set<string>();
      const ids = runIds(join(ws.flowDir, "runs"));
      for (const id of keepRuns ? ids.slice(-keepRuns) : []) {
        for (const n of readRun(join(ws.flowDir, "runs"), id)?.nodes ?? [])
          if (n.key && (n.outcome === "ran" || n.outcome === "restored")) keys.add(n.key);
      }
      const r = await collectGarbage(ws.index, ws.objects, { keepObjects: keep, keepKeys: keys, minAgeMs, dryRun: dry, now });
      const res = {
        dryRun: dry,
        ...r,
        keepRuns,
        olderThan: olderThan ?? null,
        shared,
      };
      if (values.json) io.out(JSON.stringify(res) + "\n");
      else {
        const verb = dry ? "would remove" : "removed";
        io.out(
          `gc: ${verb} ${r.removedObjects} object(s) (${(r.removedBytes / 1e6).toFixed(1)} MB) and ${r.removedEntries} index entr${r.removedEntries === 1 ? "y" : "ies"}${dry ? "" : `, ${r.removedTempFiles} temp file(s)`}; kept ${r.keptObjects} object(s): this workspace's outputs, the last ${keepRuns} run(s)${olderThan ? `, and anything younger than ${olderThan}${shared && str(values, "older-than") === undefined ? " (a shared cache: colleagues' results)" : ""}` : ""}\n`,
        );
      }
    } finally {
      ws.lock.release();
    }
    return 0;
  } finally {
    await ws.close();
  }
}

export const gc: CommandSpec = {
  name: "gc",
  summary: "free cache space: keep this workspace's outputs and the last runs",
  description:
    "Removes cache objects and index entries that neither this workspace's current outputs nor the last K runs (--keep-runs, default 3) use, and temp files left by killed writers. --older-than 30d also keeps anything younger; on a shared cache (--cache-url, or a cache folder outside the workspace) that is the default, so colleagues' recent results stay. --dry-run says what would go.",
  args: "[file]",
  options: [
    { flags: "--keep-runs <k>", description: "keep what the last K runs produced or restored (default 3)" },
    { flags: "--older-than <age>", description: "remove only what is older, e.g. 30d, 12h (default: no limit; 30d on a shared cache)" },
    { flags: "-n, --dry-run", description: "say how many objects and bytes would go; change nothing" },
  ],
  run: gcCommand,
};
