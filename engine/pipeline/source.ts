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

export function readPipelineSource(file: string): PipelineSource {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FlowError("pipeline-missing", code === "ENOENT"
      ? `${file}: no such pipeline file`
      : `${file}: cannot read (${code ?? e})`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const { line, col } = lines.linePos(err.pos[0]);
    const what = err.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    throw new FlowError("pipeline-invalid", `${file}:${line}:${col}: YAML syntax error: ${what}`);
  }
  return { file, data: doc.toJS(), locate: (path) => locate(file, doc, lines, path) };
}

function locate(file: string, doc: Document, lines: LineCounter, path: YamlPath): string {
  // Walk up until a node exists: errors about a missing key point at its parent.
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) {
      const { line } = lines.linePos(node.range[0]);
      return `${file}:${line}` + (path.length ? ` (${path.join(".")})` : "");
    }
    // A map key: find the key's own position.
    const parent = n > 0 ? doc.getIn(path.slice(0, n - 1), true) : undefined;
    if (parent && typeof parent === "object" && "items" in (parent as object)) {
      const items = (parent as { items: { key?: { value?: unknown; range?: [number, number, number] } }[] }).items;
      const item = items.find((i) => i.key && i.key.value === path[n - 1]);
      if (item?.key?.range) {
        const { line } = lines.linePos(item.key.range[0]);
        return `${file}:${line} (${path.join(".")})`;
      }
    }
  }
  return file;
}
