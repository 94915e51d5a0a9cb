// Reads pipeline.yaml keeping the YAML document, so that every later error can name
// the file, the line and the YAML path of the key it is about.
import { readFileSync } from "node:fs";
import { LineCounter, parseDocument, isNode, type Document } from "yaml";
import { FlowError } from "../errors.js";

export type YamlPath = (string | number)[];

export interface PipelineSource {
  file: string;
  data: unknown;
  /** "pipeline.yaml:12 (tasks.bin.inputs)" for the deepest existing node on the path. */
  locate(path: YamlPath): string;
}

export function readPipelineSource(file: string, display = file): PipelineSource {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FlowError("pipeline-missing", code === "ENOENT"
      ? `${display}: no such pipeline file`
      : `${display}: cannot read (${code ?? e})`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const { line, col } = lines.linePos(err.pos[0]);
    const what = err.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    throw new FlowError("pipeline-invalid", `${display}:${line}:${col}: YAML syntax error: ${what}`);
  }
  let data: unknown;
  try {
    data = doc.toJS(); // refuses alias bombs (yaml's maxAliasCount)
  } catch (e) {
    throw new FlowError("pipeline-invalid", `${display}: ${(e as Error).message}`);
  }
  return { file: display, data, locate: (path) => locate(display, doc, lines, path) };
}

function locate(file: string, doc: Document, lines: LineCounter, path: YamlPath): string {
  const at = (offset: number) => `${file}:${lines.linePos(offset).line}` + (path.length ? ` (${path.join(".")})` : "");
  // Walk up until something exists: errors about a missing key point at its parent.
  for (let n = path.length; n > 0; n--) {
    // Prefer the line of the key itself ("t:" rather than the first line of its value).
    const parent = doc.getIn(path.slice(0, n - 1), true) as { items?: { key?: unknown; value?: unknown }[] } | undefined;
    if (parent && Array.isArray(parent.items)) {
      const k = path[n - 1];
      const item = typeof k === "number" ? parent.items[k] : parent.items.find((i) => isNode(i.key) && (i.key as { value?: unknown }).value === k);
      const node = item && (isNode(item.key) ? item.key : isNode(item) ? item : undefined);
      if (node && (node as { range?: [number, number, number] }).range) return at((node as { range: [number, number, number] }).range[0]);
    }
  }
  return file;
}
