// `flow gc`: frees cache space. Kept: what this workspace's outputs are now (its state),
// what the last K runs produced or restored (--keep-runs, default 3), and — with
// --older-than — anything younger. A cache other workspaces use (a server index, or a
// folder another workspace has registered in) keeps anything younger than 30 days unless
// told otherwise. Also bounded: kept task output, old run records, finished cluster job files.
import { relative } from "node:path";
import { splitFile, commonInput, str, flag, type CommandSpec, type Values } from "../options.js";
import { openSession, type Io } from "../io.js";
import { readRun, runIds } from "../../records/runs.js";
import { FlowError } from "../../errors.js";
import { hashesOf, taskOf } from "../../model/graph-node.js";
import { cacheUsers } from "../../cache/users.js";
import { trimHistory } from "../../workspace/history.js";
import type { PurgeReport } from "../../cache/cache.js";

/** "30d", "12h", "90m", "0" → milliseconds. */
export function parseAge(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw]?)$/.exec(s.trim());
  if (!m) throw new FlowError("usage", `--older-than ${s}: expected a number with a unit, e.g. 30d, 12h, 90m`);
  const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3, "": 86400e3 }[m[2] as "s"]!;
  return Number(m[1]) * unit;
}

const mb = (b: number) => (b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${(b / 1e3).toFixed(1)} kB`);

function describe(r: PurgeReport, dry: boolean, kept: string, trimmed: number): string {
  const verb = dry ? "would remove" : "removed";
  const lines = [
    `gc: ${verb} ${r.removedObjects} object(s) (${mb(r.removedBytes)}) and ${r.removedEntries} index entr${r.removedEntries === 1 ? "y" : "ies"}${dry ? "" : `, ${r.removedTempFiles} temp file(s), ${trimmed} old record(s)`}; kept ${r.keptObjects} object(s): ${kept}`,
  ];
  if (dry && r.removed.length) {
    // what would go, by task and node, largest first
    const byTask = new Map<string, number>();
    for (const x of r.removed) byTask.set(taskOf(x.node), (byTask.get(taskOf(x.node)) ?? 0) + x.bytes);
    lines.push(
      `  by task: ${[...byTask]
        .sort((a, b) => b[1] - a[1])
        .map(([t, b]) => `${t} ${mb(b)}`)
        .join(", ")}`,
    );
    for (const x of r.removed.slice(0, 20)) lines.push(`  ${mb(x.bytes).padStart(10)}  ${x.node}  ${x.hash.slice(0, 12)}`);
    if (r.removed.length > 20) lines.push(`  … and ${r.removed.length - 20} more`);
  }
  return lines.join("\n");
}

async function gcCommand(positionals: string[], values: Values, io: Io): Promise<number> {
  const { file } = splitFile(positionals);
  const keepRuns = Number(str(values, "keep-runs") ?? 3);
  if (!Number.isInteger(keepRuns) || keepRuns < 0)
    throw new FlowError("usage", `--keep-runs ${str(values, "keep-runs")}: expected a whole number ≥ 0`);
  const input = commonInput(values, file);
  const session = await openSession(input, io, "source");
  try {
    // provably private: a folder of this workspace's own, no server index, no other workspace registered in it
    const users = cacheUsers(session.cacheDir).filter((r) => r !== session.root);
    const outside = relative(session.root, session.cacheDir).startsWith("..");
    const shared = !!session.config.cacheUrl || outside || users.length > 0;
    const olderThan = str(values, "older-than") ?? (shared ? "30d" : undefined);
    const minAgeMs = olderThan === undefined ? 0 : parseAge(olderThan);
    const dry = flag(values, "dry-run");
    const ws = session.workspace;
    ws.lock.acquire("flow gc");
    try {
      // 1. what is kept: the workspace's outputs now, and what the last K runs produced
      const keep = new Set<string>();
      for (const s of ws.state.all().values()) for (const h of hashesOf(s.outputs)) keep.add(h);
      const keys = new Set<string>();
      for (const id of keepRuns ? runIds(ws.runsDir).slice(-keepRuns) : [])
        for (const n of readRun(ws.runsDir, id)?.nodes ?? []) if (n.key && (n.outcome === "ran" || n.outcome === "restored")) keys.add(n.key);
      const cache = await session.cache();
      const r = await cache.purge({ keepObjects: keep, keepKeys: keys, minAgeMs, dryRun: dry });
      const trimmed = dry ? 0 : trimHistory(ws, session.cacheDir, { minAgeMs });
      const why =
        shared && str(values, "older-than") === undefined
          ? ` (a shared cache${users.length ? `: also used by ${users.map((u) => relative(session.root, u) || u).join(", ")}` : ""})`
          : "";
      const kept = `this workspace's outputs, the last ${keepRuns} run(s)${olderThan ? `, and anything younger than ${olderThan}${why}` : ""}`;
      if (input.json) io.out(JSON.stringify({ dryRun: dry, ...r, keepRuns, olderThan: olderThan ?? null, shared, trimmed }) + "\n");
      else io.out(`${describe(r, dry, kept, trimmed)}\n`);
    } finally {
      ws.lock.release();
    }
    return 0;
  } finally {
    await session.close();
  }
}

export const gc: CommandSpec = {
  name: "gc",
  summary: "free cache space: keep this workspace's outputs and the last runs",
  description:
    "Removes cache objects and index entries that neither this workspace's current outputs nor the last K runs (--keep-runs, default 3) use, temp files left by killed writers, kept task output no entry needs, run records beyond the last 100 and finished cluster job files. --older-than 30d also keeps anything younger; on a shared cache (--cache-url, or a cache folder another workspace uses) that is the default, so colleagues' recent results stay. --dry-run lists what would go, largest first.",
  args: "[file]",
  options: [
    { flags: "--keep-runs <k>", description: "keep what the last K runs produced or restored (default 3)" },
    { flags: "--older-than <age>", description: "remove only what is older, e.g. 30d, 12h (default: no limit; 30d on a shared cache)" },
    { flags: "-n, --dry-run", description: "list what would go (task, node, size; largest first); change nothing" },
  ],
  run: gcCommand,
};
