// `flow synth <out_dir> [--scale example|full|many|dataset] [--seed N] [--sessions N]`:
// writes a synthetic Allen cache with the real layout.
import { resolve } from "node:path";
import type { CommandCli, CommandFn } from "#flow/command";
import { cacheSpecs, writeCache, type CacheScale } from "../synth/cache.js";

export const cli: CommandCli = {
  args: "<out_dir>",
  description:
    "Writes a synthetic AllenSDK cache with the real layout (manifest, the four CSVs, one NWB file per session), the same bytes for the same options.",
  options: [
    {
      flags: "--scale <scale>",
      description:
        "example: 4 small sessions, 2 of each session type (~60 MB; the embedded example); full: 1 full-size brain_observatory_1.1 session (~750 units, ~57 M spikes, ~1.3 GB); many: --sessions N small sessions (default 58), both types, as the real dataset's mix; dataset: --sessions N full-size sessions (default 58), the two types in turn (~1.1 GB each)",
      default: "example",
      choices: ["example", "full", "many", "dataset"],
    },
    { flags: "--seed <n>", description: "another seed gives other spikes and stimulus tables", default: "1" },
    { flags: "--sessions <n>", description: "how many sessions (--scale many and dataset only)" },
  ],
};

export const command: CommandFn = async ({ args, options }, ctx) => {
  const scale = options.scale as CacheScale;
  const values = { sessions: options.sessions as string | undefined, seed: String(options.seed) };
  if (values.sessions !== undefined && scale !== "many" && scale !== "dataset") {
    ctx.log(`flow synth: --sessions applies to --scale many and dataset only (example has 4 fixed sessions, full has one)`);
    return 2;
  }
  const n = Number(values.sessions ?? 58);
  const seed = Number(values.seed);
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(seed)) {
    ctx.log(`flow synth: --sessions and --seed take whole numbers (--sessions ≥ 1)`);
    return 2;
  }
  const out = resolve(process.cwd(), args[0]!);
  // whole or not at all: written beside, renamed into place
  await ctx.atomicFolder(out, (tmp) => writeCache(tmp, cacheSpecs(scale, seed, n), ctx.log));
  ctx.log(`synthetic Allen cache (${scale}) written to ${out}`);
  return 0;
};
