// `code:` of a shell task: files, or globs (`analysis/*.py`, `lib/**/*.py`) so that a
// package of local modules counts without listing each file. `*` and `?` match within a
// folder name, `**` any number of folders. A pattern that matches nothing stays in the
// list as itself (hashed "missing"): the node's code version changes once files appear.
import { readdirSync, statSync } from "node:fs";
import { isAbsolute, join, resolve, sep } from "node:path";

const hasWild = (s: string) => /[*?]/.test(s);
const segRegex = (seg: string) =>
  new RegExp(
    `^${seg
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, "[^/]*")
      .replace(/\?/g, "[^/]")}$`,
  );

function walk(dir: string, segs: string[], out: string[]) {
  if (segs.length === 0) {
    try {
      if (statSync(dir).isFile()) out.push(dir);
    } catch {
      /* gone */
    }
    return;
  }
  const [seg, ...rest] = segs as [string, ...string[]];
  if (!hasWild(seg)) return walk(join(dir, seg), rest, out);
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return;
  }
  if (seg === "**") {
    walk(dir, rest, out); // zero folders
    for (const n of names) {
      if (n.startsWith(".") || n === "node_modules" || n === "__pycache__") continue;
      const p = join(dir, n);
      try {
        if (statSync(p).isDirectory()) walk(p, segs, out);
      } catch {
        /* gone */
      }
    }
    return;
  }
  const re = segRegex(seg);
  for (const n of names) if (re.test(n) && !(n.startsWith(".") && !seg.startsWith("."))) walk(join(dir, n), rest, out);
}

/** The files `code:` names, absolute, sorted, without duplicates. */
export function expandCodeGlobs(patterns: string[], root: string): string[] {
  const out = new Set<string>();
  for (const p of patterns) {
    const abs = isAbsolute(p) ? p : resolve(root, p);
    if (!hasWild(p)) {
      out.add(abs);
      continue;
    }
    const parts = abs.split(sep);
    const fixed = parts.findIndex(hasWild);
    const found: string[] = [];
    walk(parts.slice(0, fixed).join(sep) || sep, parts.slice(fixed), found);
    if (found.length === 0) out.add(abs);
    for (const f of found) out.add(f);
  }
  return [...out].sort();
}
