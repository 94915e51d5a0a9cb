// `flow synth <out_dir> [--scale example|full|many] [--seed N] [--sessions N]`:
// writes a synthetic Allen cache with the real layout.
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import type { CommandFn } from "../../engine/task.js";
import { cacheSpecs, writeCache, type CacheScale } from "./cache.js";

export const command: CommandFn = async (args, ctx) => {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { scale: { type: "string", default: "example" }, seed: { type: "string", default: "1" }, sessions: { type: "string", default: "58" }, help: { type: "boolean" } },
  });
  if (values.help || positionals.length !== 1) {
    ctx.log("usage: flow synth <out_dir> [--scale example|full|many] [--seed N] [--sessions N]");
    return values.help ? 0 : 2;
  }
  const scale = values.scale as CacheScale;
  if (!["example", "full", "many"].includes(scale)) {
    ctx.log(`flow synth: --scale ${scale}: expected example, full or many`);
    return 2;
  }
  const out = resolve(process.cwd(), positionals[0]!);
  await writeCache(out, cacheSpecs(scale, Number(values.seed), Number(values.sessions)), ctx.log);
  ctx.log(`synthetic Allen cache (${scale}) written to ${out}`);
  return 0;
};
