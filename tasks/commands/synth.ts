// `flow synth <out_dir> [--scale example|full|many|dataset] [--seed N] [--sessions N]`:
// writes a synthetic Allen cache with the real layout.
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import type { CommandFn } from "#flow/task";
import { cacheSpecs, writeCache, type CacheScale } from "../synth/cache.js";

const USAGE = `usage: flow synth <out_dir> [--scale example|full|many|dataset] [--seed N] [--sessions N]
  Writes a synthetic AllenSDK cache with the real layout (manifest, the four CSVs, one
  NWB file per session), the same bytes for the same options.
  --scale example   4 small sessions, 2 of each session type (~60 MB; the embedded example)
  --scale full      1 full-size brain_observatory_1.1 session (~750 units, ~57 M spikes, ~1.3 GB)
  --scale many      --sessions N small sessions (default 58), both types, as the real dataset's mix
  --scale dataset   --sessions N full-size sessions (default 58), the two types in turn (~1.1 GB each)
  --seed N          another seed gives other spikes and stimulus tables (default 1)`;

export const command: CommandFn = async (args, ctx) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      scale: { type: "string", default: "example" },
      seed: { type: "string", default: "1" },
      sessions: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || positionals.length !== 1) {
    ctx.log(USAGE);
    return values.help ? 0 : 2;
  }
  const scale = values.scale as CacheScale;
  if (!["example", "full", "many", "dataset"].includes(scale)) {
    ctx.log(`flow synth: --scale ${scale}: expected example, full, many or dataset\n${USAGE}`);
    return 2;
  }
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
  const out = resolve(process.cwd(), positionals[0]!);
  await writeCache(out, cacheSpecs(scale, seed, n), ctx.log);
  ctx.log(`synthetic Allen cache (${scale}) written to ${out}`);
  return 0;
};
