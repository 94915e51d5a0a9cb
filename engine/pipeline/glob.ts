// Plan-time globbing with named wildcards, as Snakemake's glob_wildcards:
// "cache/session_{session}/session_{session}.nwb" finds every matching file and
// captures `session` (the same name twice must capture the same text).
import { readdirSync, statSync } from "node:fs";
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

export interface GlobMatch { path: string; captures: Record<string, string> }

export function globWildcards(pattern: string, root: string): GlobMatch[] {
  const abs = isAbsolute(pattern) ? pattern : resolve(root, pattern);
  const segs = abs.split(sep).filter((s, i) => s !== "" || i === 0);
  const out: GlobMatch[] = [];
  const walk = (dir: string, i: number, caps: Record<string, string>) => {
    if (i === segs.length) {
      out.push({ path: dir, captures: caps });
      return;
    }
    const seg = segs[i]!;
    const rx = segmentRegex(seg);
    if (!rx) {
      const next = i === 0 && seg === "" ? sep : join(dir, seg);
      if (i === segs.length - 1 ? isFile(next) : isDir(next)) walk(next, i + 1, caps);
      return;
    }
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
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
      if (i === segs.length - 1 ? isFile(p) : isDir(p)) walk(p, i + 1, c);
    }
  };
  walk(segs[0] === "" ? "" : segs[0]!, segs[0] === "" ? 0 : 1, {});
  return out;
}

function isDir(p: string) {
  try { return statSync(p).isDirectory(); } catch { return false; }
}
function isFile(p: string) {
  try { return statSync(p).isFile(); } catch { return false; }
}
