// `flow run`: reads its options into a run configuration, opens the session, and hands
// over to session/run.ts; prints the summary. (--dry-run: session/dry-run.ts.)
import { splitFile, commonInput, str, list, flag, type CommandSpec, type Values } from "../options.js";
import { openSession, type Io } from "../io.js";
import { readRunConfig } from "../../session/config.js";
import { run as runPipeline } from "../../session/run.js";
import { dryRun } from "../../session/dry-run.js";
import { PlainReporter, QuietReporter, TtyReporter, formatSummary } from "../../reporters/console.js";
import { INTERRUPT_EXIT } from "../interrupt.js";
import type { Logger } from "../../model/events.js";

async function runCommand(positionals: string[], values: Values, io: Io): Promise<number> {
  const { file, rest } = splitFile(positionals);
  const config = readRunConfig({
    ...commonInput(values, file),
    jobs: str(values, "jobs"),
    keepGoing: flag(values, "keep-going"),
    dryRun: flag(values, "dry-run"),
    trace: str(values, "trace"),
    executor: str(values, "executor"),
    slurmPartition: str(values, "slurm-partition"),
    slurmOpt: list(values, "slurm-opt"),
    slurmMaxJobs: str(values, "slurm-max-jobs"),
  });
  const session = await openSession(commonInput(values, file), io, "describe", config);
  try {
    if (config.dryRun) return await dryRun(session, rest, io.out, config.json);
    const plain = new PlainReporter(io.out, io.err, config.verbose);
    const tty = io.isTTY && !config.json ? new TtyReporter(io.out, plain) : undefined;
    const logger: Logger = config.json ? new QuietReporter(plain, io.err) : (tty ?? plain);
    const interrupts = io.interrupts ?? { signal: new AbortController().signal, handled: false };
    interrupts.handled = true;
    let r;
    try {
      r = await runPipeline(session, config, rest, {
        out: io.out,
        err: io.err,
        logger,
        signal: interrupts.signal,
        argv: commandLine(positionals, values),
      });
    } finally {
      interrupts.handled = false;
      tty?.stop();
    }
    if (r.interrupted) {
      const name = String(interrupts.signal.reason);
      const n = r.interrupted;
      io.err(
        `\nflow: interrupted by ${name}; ${n.length ? `${n.length} node(s) were running and are left stale: ${n.slice(0, 5).join(", ")}${n.length > 5 ? ", …" : ""}` : "no node was running"}\n`,
      );
      return INTERRUPT_EXIT[name] ?? 130;
    }
    const s = r.summary;
    if (config.json)
      io.out(
        JSON.stringify({ ran: s.ran, restored: s.restored, upToDate: s.upToDate, failed: s.failed, skipped: s.skipped, wallMs: s.wallMs }) + "\n",
      );
    else io.out(`${formatSummary(s, config.verbose)}\n`);
    return r.exitCode;
  } finally {
    await session.close();
  }
}

/** The command line as typed (for the run record; credentials are redacted when it is written). */
function commandLine(positionals: string[], values: Values): string[] {
  const out = ["run", ...positionals];
  for (const [k, v] of Object.entries(values)) {
    if (v === true) out.push(`--${k}`);
    else if (typeof v === "string") out.push(`--${k}`, v);
    else if (Array.isArray(v)) for (const x of v) out.push(`--${k}`, String(x));
  }
  return out;
}

export const run: CommandSpec = {
  name: "run",
  summary: "run what is stale (restore what the cache has)",
  description:
    "Runs the stale nodes in dependency order, N at a time; restores what the cache has.\nWith selectors (key=value, task=<id>), only the matching nodes and what they need.\n\nSelectors: key=value (stimulus=dot_motion, task=bin; several narrow together), or\ntargets: a node id ('bin[session=1,stimulus=flashes]'), an output path or a folder\nof outputs (data/02_stimulus_types/flashes.h5; several add up).",
  args: "[file] [selector…]",
  options: [
    { flags: "-j, --jobs <n>", description: "parallel nodes (default: one per core, at most one per 2 GB of memory)" },
    { flags: "-k, --keep-going", description: "after a failure, go on with everything that does not depend on it" },
    { flags: "-n, --dry-run", description: "say what would be prepared, run or restored, and do nothing" },
    { flags: "--executor <local|slurm>", description: "where nodes run (default local: worker processes here)" },
    { flags: "--slurm-partition <p>", description: "sbatch --partition" },
    { flags: "--slurm-opt <option>", description: 'an extra sbatch option, e.g. "--mem=8G" (repeatable)', repeat: true },
    {
      flags: "--link <copy|hardlink|reflink>",
      description:
        "how outputs come out of the cache: verified copies (default), hard links to the read-only objects (stored once; a task reads a private copy of such an input), or copy-on-write clones (env FLOW_LINK)",
    },
    {
      flags: "--trace <file.tsv>",
      description:
        "also write the run's trace here (node, task, params, state, start, end, wall, cpu, peak RSS, bytes, executor, job id); it is always kept in .flow/runs/",
    },
    {
      flags: "--slurm-max-jobs <n>",
      description: "SLURM jobs in flight at most (default: --jobs); a task's resources.group_size nodes share one job",
    },
  ],
  run: runCommand,
};
