// Reads pipeline.yaml (or params.yaml) so that every later error can name the file, the line and the
// YAML path of the key it is about.
import { readFileSync } from "node:fs";
import { LineCounter, parseDocument, isNode, isScalar, visit, type Document } from "yaml";
import { load as loadFast, CORE_SCHEMA } from "js-yaml";
import { FlowError } from "../errors.js";

export type YamlPath = (string | number)[];

export interface YamlSource {
  file: string;
  data: unknown;
  /** "pipeline.yaml:12 (tasks.bin.inputs)" for the deepest existing node on the path. */
  locate(path: YamlPath): string;
}

/** A YAML file, as data that can name the line of any key. `what` names the file in errors ("pipeline file", "params file"). */
export function readYamlSource(file: string, display = file, what = "pipeline file"): YamlSource {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FlowError("pipeline-missing", code === "ENOENT" ? `${display}: no such ${what}` : `${display}: cannot read (${code ?? e})`);
  }
  // The data: js-yaml reads a 100 000-task file an order of magnitude faster and in a
  // fifth of the memory of the `yaml` package's document tree (bench/graph-scale.ts). `yaml` keeps every error message
  // (with line and column) and the line numbers of later errors: anything js-yaml
  // refuses is read again by `yaml`, which then says what is wrong. Anchors and aliases
  // go to `yaml` too (its alias-count limit refuses "billion laughs" files).
  if (!/(^|[\s,[{:-])[&*][^\s,\]}]/m.test(text)) {
    let data: unknown;
    try {
      data = loadFast(text, { schema: CORE_SCHEMA, filename: display });
    } catch {
      data = undefined;
    }
    if (data !== undefined) return { file: display, data, locate: locator(text, display) };
  }
  const lines = new LineCounter();
  // yaml's own uniqueKeys check compares every key with every other (quadratic in the
  // tasks); duplicateKey() below does it with a Set per mapping.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const dup = doc.errors.length === 0 ? duplicateKey(doc) : undefined;
  if (dup) {
    const { line, col } = lines.linePos(dup.offset);
    throw new FlowError(
      "pipeline-invalid",
      `${display}:${line}:${col}: YAML syntax error: Map keys must be unique (${JSON.stringify(dup.key)} appears twice)`,
    );
  }
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const { line, col } = lines.linePos(err.pos[0]);
    const why = err.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    throw new FlowError("pipeline-invalid", `${display}:${line}:${col}: YAML syntax error: ${why}`);
  }
  let data: unknown;
  try {
    data = doc.toJS(); // refuses alias bombs (yaml's maxAliasCount)
  } catch (e) {
    throw new FlowError("pipeline-invalid", `${display}: ${(e as Error).message}`);
  }
  return { file: display, data, locate: locator(text, display) };
}

/**
 * Line numbers for error messages. The document (its AST is many times the text) is not kept: the rare error that needs a line number parses the text again.
 */
function locator(text: string, display: string): (path: YamlPath) => string {
  let again: { doc: Document; lines: LineCounter } | undefined;
  return (path) => {
    if (!again) {
      const l = new LineCounter();
      again = { doc: parseDocument(text, { lineCounter: l, prettyErrors: false, uniqueKeys: false }), lines: l };
    }
    return locate(display, again.doc, again.lines, path);
  };
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

/** The first key that appears twice in one mapping, with its offset. */
function duplicateKey(doc: Document): { key: string; offset: number } | undefined {
  let found: { key: string; offset: number } | undefined;
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const item of map.items) {
        const k = isScalar(item.key) ? item.key.value : item.key;
        if (seen.has(k)) {
          found = { key: String(k), offset: (item.key as { range?: [number] })?.range?.[0] ?? 0 };
          return visit.BREAK;
        }
        seen.add(k);
      }
      return undefined;
    },
  });
  return found;
}
