import { splitFile, common, type CommandSpec, type Values } from "../args.js";
import { openContext, type Io } from "../context.js";
import { entryHashes } from "../../store/index.js";

async function gcCommand(positionals: string[], values: Values, io: Io): Promise<number> {
  const { file } = splitFile(positionals);
  const { ws } = await openContext({ ...common(values), file });
  try {
    ws.lock.acquire("flow gc");
    try {
      const live = new Set<string>();
      let danglingEntries = 0;
      for await (const [k, e] of ws.index.entries()) {
        const hs = entryHashes(e);
        if (hs.every((h) => ws.objects.has(h))) hs.forEach((h) => live.add(h));
        else {
          await ws.index.delete(k);
          danglingEntries++;
        }
      }
      let removed = 0, bytes = 0, kept = 0;
      for (const h of [...ws.objects.list()]) {
        if (live.has(h)) { kept++; continue; }
        bytes += ws.objects.size(h);
        ws.objects.remove(h);
        removed++;
      }
      // temp files of dead writers: on this host by pid, from other hosts after a day
      const strays = ws.objects.sweepStrays();
      const res = { removedObjects: removed, removedBytes: bytes, keptObjects: kept, removedEntries: danglingEntries, removedTempFiles: strays };
      if (values.json) io.out(JSON.stringify(res) + "\n");
      else io.out(`gc: removed ${removed} object(s) (${(bytes / 1e6).toFixed(1)} MB), ${danglingEntries} dangling index entr${danglingEntries === 1 ? "y" : "ies"}, ${strays} temp file(s); kept ${kept} object(s)\n`);
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
  summary: "drop unreferenced cache objects",
  description: "Drops cache objects that no index entry refers to, index entries whose objects are\ngone, and temp files left by killed writers.",
  args: "[file]",
  options: [],
  run: gcCommand,
};
