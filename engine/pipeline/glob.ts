// Plan-time globbing with named wildcards, as Snakemake's glob_wildcards:
// "cache/session_{session}/session_{session}.nwb" finds every matching file and
// captures `session` (the same name twice must capture the same text).
import { readdirSync, statSync, lstatSync, readlinkSync, accessSync, constants } from "node:fs";
import { join, isAbsolute, resolve, sep } from "node:path";

const WILD = /\{([A-Za-z_][A-Za-z0-9_]*)\}|\*/g;

function segmentRegex(seg: string): { re: RegExp; names: string[] } | undefined {
  if (!WILD.test(seg)) return undefined;
  WILD.lastIndex = 0;
  const names: string[] = [];
  let src = "^";
  let last = 0;
  for (const m of seg.matchAll(WILD)) {
    src += escape(seg.slice(last, m.index));
    if (m[0] === "*") src += "[^/]*";
    else {
      names.push(m[1]!);
      src += "([^/]+?)";
    }
    last = m.index! + m[0].length;
  }
  src += escape(seg.slice(last)) + "$";
  return { re: new RegExp(src), names };
}

const escape = (s: string) => s.replace(/[.+?^$()|[\]\\]/g, "\\$&");

export interface GlobMatch {
  path: string;
  captures: Record<string, string>;
}
/** A name that matches the pattern but cannot be read: a set member must never vanish silently. */
export interface GlobProblem {
  path: string;
  why: string;
}

/**
 * Every file matching the pattern, and the problems: a matching name that is a dangling
 * symlink, a symlink loop or unreadable, and a folder that matches but lacks the file
 * the rest of the pattern names (session_1/ without session_1/session_1.nwb). A folder
 * that does not exist is simply not a member.
 */
export function globWildcards(pattern: string, root: string): GlobMatch[] & { problems: GlobProblem[] } {
  const abs = isAbsolute(pattern) ? pattern : resolve(root, pattern);
  const segs = abs.split(sep).filter((s, i) => s !== "" || i === 0);
  const out = Object.assign([] as GlobMatch[], { problems: [] as GlobProblem[] });
  const walk = (dir: string, i: number, caps: Record<string, string>) => {
    if (i === segs.length) {
      out.push({ path: dir, captures: caps });
      return;
    }
    const seg = segs[i]!;
    const last = i === segs.length - 1;
    // A segment whose wildcards are all bound already names exactly one entry.
    const bound = bindSegment(seg, caps);
    if (bound !== undefined) {
      const next = i === 0 && seg === "" ? sep : join(dir, bound);
      const kind = entryKind(next);
      const want = last ? "file" : "dir";
      if (kind === want) walk(next, i + 1, caps);
      else if (kind === "missing") {
        // inside a matched member's folder: the member exists, its file does not
        if (Object.keys(caps).length) out.problems.push({ path: next, why: `no such ${last ? "file" : "folder"} (its folder matches the set)` });
      } else if (kind === "file" || kind === "dir")
        out.problems.push({ path: next, why: `is a ${kind === "dir" ? "folder" : "file"}, not a ${last ? "file" : "folder"}` });
      else out.problems.push({ path: next, why: kind });
      return;
    }
    const rx = segmentRegex(seg)!;
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (e) {
      if (Object.keys(caps).length) out.problems.push({ path: dir, why: `cannot list (${(e as NodeJS.ErrnoException).code})` });
      return;
    }
    for (const n of names) {
      const m = rx.re.exec(n);
      if (!m) continue;
      const c = { ...caps };
      let consistent = true;
      rx.names.forEach((name, k) => {
        const v = m[k + 1]!;
        if (c[name] !== undefined && c[name] !== v) consistent = false;
        c[name] = v;
      });
      if (!consistent) continue;
      const p = join(dir, n);
      const kind = entryKind(p);
      if (kind === (last ? "file" : "dir")) walk(p, i + 1, c);
      else if (kind !== "file" && kind !== "dir" && kind !== "missing") out.problems.push({ path: p, why: kind });
    }
  };
  walk(segs[0] === "" ? "" : segs[0]!, segs[0] === "" ? 0 : 1, {});
  return out;
}

/** The segment with its wildcards filled from the captures, or undefined if one is unbound. */
function bindSegment(seg: string, caps: Record<string, string>): string | undefined {
  let unbound = false;
  const s = seg.replace(WILD, (m, name?: string) => {
    if (m === "*" || !name || caps[name] === undefined) unbound = true;
    return name ? (caps[name] ?? "") : "";
  });
  return unbound ? undefined : s;
}

/** "file", "dir", "missing", or why a name that exists cannot be used. */
function entryKind(p: string): string {
  let st;
  try {
    st = statSync(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      try {
        if (lstatSync(p).isSymbolicLink()) return `a dangling symbolic link (to ${readlinkSync(p)})`;
      } catch {
        /* not there at all */
      }
      return "missing";
    }
    if (code === "ELOOP") return "a symbolic link loop";
    if (code === "EACCES") return "not readable (permission denied)";
    return `cannot be read (${code})`;
  }
  if (st.isDirectory()) return "dir";
  if (!st.isFile()) return "not a regular file";
  try {
    accessSync(p, constants.R_OK);
  } catch {
    return "not readable (permission denied)";
  }
  return "file";
}
