// Small pipelines more than one test file runs (each file adds its own tasks or params).

/** A `prepare:` step that makes the folder `gen` with the pipeline's command `make`, and a task copying each file of it. */
export const PREPARED_COPY = `version: 1
params:
  gen: { default: gen, path: true, type: string }
commands:
  make: { module: tasks/make.ts }
prepare:
  - creates: "\${gen}"
    command: make
    args: ["\${gen}"]
sets:
  name: { glob: "\${gen}/{name}.txt" }
tasks:
  copy:
    run: { argv: [/bin/cp, "\${in.src}", "\${out.o}"] }
    foreach: [name]
    inputs: { src: "\${gen}/\${name}.txt" }
    outputs: { o: "out/\${name}.txt" }
`;

/**
 * make[kind] over the list param `kinds` (each writes "kind width" to data/<kind>.txt) and
 * `all` gathering them; `params` are the param lines (kinds and width at least).
 */
export const kindsPipeline = (params: string) => `version: 1
params:
${params}
sets:
  kind: { param: kinds }
tasks:
  make:
    run: { argv: [/bin/sh, -c, 'echo "$1 $2" > "$0"', "\${out.o}", "\${kind}", "\${width}"] }
    foreach: [kind]
    params: [width]
    outputs: { o: "data/\${kind}.txt" }
  all:
    run: { argv: [/bin/sh, -c, 'cat "$@" > "$0"', "\${out.o}", "\${in.parts}"] }
    inputs: { parts: { from: make, output: o } }
    outputs: { o: data/all.txt }
`;
