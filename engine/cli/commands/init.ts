// `flow init [dir]`: a starting pipeline in an empty folder — one TypeScript step and one
// shell step over two small input files — with a .gitignore, a tsconfig.json that lets an
// editor find `#flow/task`, and a schema hint for YAML editors (yaml-language-server).
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { CommandSpec } from "../options.js";
import type { Io } from "../io.js";
import { FlowError } from "../../errors.js";

const SCHEMA = fileURLToPath(new URL("../../../schemas/pipeline.schema.json", import.meta.url));
const TASK_API = fileURLToPath(new URL("../../api/task.ts", import.meta.url));

const pipeline = (schema: string) => `# yaml-language-server: $schema=${schema}
# A flow pipeline: 'flow run' runs what is stale, 'flow status' says what is and why.
# How to add your own steps (Python, R, any program, or TypeScript): the guide in flow's
# docs/own-steps.md.
version: 1
description: a starting pipeline

params:
  suffix: { default: "!", type: string, description: what shout appends }

sets:
  name: { glob: "data/{name}.txt" }   # one node per file: data/a.txt → name=a

tasks:
  shout:
    description: a TypeScript step, one node per input file
    run: { module: tasks/shout.ts }
    foreach: [name]
    params: [suffix]
    inputs: { text: "data/\${name}.txt" }
    outputs: { loud: "out/\${name}.txt" }

  together:
    description: a shell step (an argv, no shell) over every output of shout
    run: { argv: [sort, -o, "\${out.all}", "\${in.parts}"] }
    inputs: { parts: { from: shout, output: loud } }
    outputs: { all: out/all.txt }
`;

const task = `// A TypeScript step: flow runs it in a worker; it reads ctx.inputs and writes ctx.outputs.
import { readFileSync, writeFileSync } from "node:fs";
import { defineTask } from "#flow/task";

export default defineTask({
  inputs: { text: "file" },
  outputs: { loud: "file" },
  params: { suffix: "string" },
  run(ctx) {
    writeFileSync(ctx.outputs.loud, readFileSync(ctx.inputs.text, "utf8").trim().toUpperCase() + ctx.params.suffix + "\\n");
  },
});
`;

async function initCommand(positionals: string[], _values: unknown, io: Io): Promise<number> {
  const dir = resolve(positionals[0] ?? ".");
  if (existsSync(join(dir, "pipeline.yaml"))) throw new FlowError("usage", `${join(dir, "pipeline.yaml")} already exists`);
  const files: Record<string, string> = {
    "pipeline.yaml": pipeline(pathToFileURL(SCHEMA).href),
    "tasks/shout.ts": task,
    "data/a.txt": "hello\n",
    "data/b.txt": "world\n",
    ".gitignore": "# flow's own: the cache, the workspace state, and what the pipeline makes\n/cache/\n/.flow/\n/out/\n",
    "tsconfig.json":
      JSON.stringify(
        {
          compilerOptions: {
            module: "nodenext",
            moduleResolution: "nodenext",
            target: "ES2022",
            strict: true,
            noEmit: true,
            types: ["node"],
            paths: { "#flow/task": [TASK_API] },
          },
        },
        null,
        2,
      ) + "\n",
  };
  for (const [name, text] of Object.entries(files)) {
    if (existsSync(join(dir, name))) continue;
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  io.out(`a starting pipeline in ${dir}: pipeline.yaml, tasks/shout.ts, data/*.txt\nnext: flow run   (then: flow status, flow dag --tasks)\n`);
  return 0;
}

export const init: CommandSpec = {
  name: "init",
  summary: "write a starting pipeline (one TypeScript step, one shell step) in a folder",
  description:
    "Writes pipeline.yaml (with a schema hint for YAML editors), a TypeScript task, two input files, a .gitignore and a tsconfig.json in the folder (default: this one).",
  args: "[dir]",
  options: [],
  noCommon: true,
  run: initCommand,
};
