// A pipeline's own commands (`flow export …`): flow's options (-f/--pipeline FILE, --set,
// --params, -v) are taken out, the rest is the command's, read by its declared `cli`. The
// command gets the capabilities of api/command.ts — and, from the CLI, the state of the
// nodes that make given output paths (is the file current?).
import { resolve } from "node:path";
import { FlowError } from "../errors.js";
import { readPipeline } from "../pipeline/load.js";
import { parseSets } from "../pipeline/params.js";
import { loadCommandModule } from "../api/modules.js";
import { commandContext } from "../session/prepare.js";
import { allOutputPaths } from "../model/graph-node.js";
import { findPipeline } from "./options.js";
import { parseCommandLine } from "./command-line.js";
import { openSession, type Io } from "./io.js";

/** flow's own options, out of a pipeline command's argv. */
function split(argv: string[]) {
  let file = findPipeline(process.cwd());
  const sets: string[] = [];
  let params: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--pipeline" || a === "-f") file = argv[++i] ?? file;
    else if (a === "--set" || a === "-s") sets.push(argv[++i] ?? "");
    else if (a.startsWith("--set=")) sets.push(a.slice(6));
    else if (a === "--params") params = argv[++i];
    else if (a === "-v" || a === "--verbose")
      continue; // (read by main: stack traces)
    else rest.push(a);
  }
  return { file, sets, params, rest };
}

export async function pipelineCommand(name: string, argv: string[], io: Io): Promise<number> {
  const { file, sets, params, rest } = split(argv);
  const source = readPipeline(file, { sets: parseSets(sets), paramsFile: params });
  const mod = await loadCommandModule(source.def, source.root, name, file);
  if (!mod) throw new FlowError("usage", `unknown command '${name}'`);
  const parsed = parseCommandLine(name, mod.cli, rest, io, source.def.commands![name]!.description);
  if (!parsed.ok) return parsed.code;
  const ctx = commandContext(source.root, source.params, (m) => io.err(`${m}\n`));
  return mod.command(parsed.input, { ...ctx, outputStates: (paths) => outputStates({ file, set: sets, params }, io, paths) });
}

/** The state of the nodes that make these output paths (is the file current?). */
async function outputStates(input: { file: string; set: string[]; params?: string }, io: Io, paths: string[]) {
  const session = await openSession(input, io, "plan");
  try {
    const planner = await session.planner();
    const wanted = new Map(paths.map((p) => [resolve(p), p]));
    const out: { path: string; node?: string; state: string; reasons: string[] }[] = [];
    const found = new Set<string>();
    for await (const a of planner.assessAll()) {
      for (const p of allOutputPaths(a.node)) {
        const asked = wanted.get(p);
        if (asked === undefined) continue;
        out.push({ path: asked, node: a.node.id, state: a.state, reasons: a.reasons });
        found.add(p);
      }
    }
    for (const [abs, p] of wanted) if (!found.has(abs)) out.push({ path: p, state: "not-an-output", reasons: [] });
    return out;
  } finally {
    await session.close();
  }
}
