// The software environment a task runs in, as part of its key: `environment:` lists
// probes — commands such as `python3 --version` or `python3 -c "import numpy;
// print(numpy.__version__)"` — whose output is recorded for the node; a different output
// makes the node stale ("environment changed: python3 --version (Python 3.11.2 → 3.12.1)").
// Each probe runs once per command (a run or a status asks it once, not per node). It is
// not cached across commands: an upgraded package changes no file of the interpreter,
// so nothing short of asking again would notice it.
import { execFile } from "node:child_process";

/** A command line as words: whitespace separates, single or double quotes group (no expansion, no shell). */
export function splitCommand(line: string): string[] {
  const words: string[] = [];
  let cur = "";
  let quote: string | undefined;
  let any = false;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      any = true;
    } else if (/\s/.test(ch)) {
      if (cur || any) words.push(cur);
      cur = "";
      any = false;
    } else cur += ch;
  }
  if (cur || any) words.push(cur);
  return words;
}

const PROBE_TIMEOUT_MS = 60_000;
const MAX_OUTPUT = 2000;

export class EnvironmentProbes {
  private memo = new Map<string, Promise<string>>();
  constructor(private readonly cwd: string) {}

  /** Each probe's output (trimmed; stdout then stderr, as `python --version` writes either), by its command line. */
  async of(probes: string[]): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    await Promise.all(
      probes.map(async (p) => {
        out[p] = await this.one(p);
      }),
    );
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  private one(line: string): Promise<string> {
    let p = this.memo.get(line);
    if (!p) {
      p = new Promise((resolve) => {
        const [cmd, ...args] = splitCommand(line);
        if (!cmd) return resolve("(empty command)");
        execFile(cmd, args, { cwd: this.cwd, timeout: PROBE_TIMEOUT_MS, maxBuffer: 1 << 20, env: process.env }, (err, stdout, stderr) => {
          const text = `${stdout}${stderr}`.trim().slice(0, MAX_OUTPUT);
          if (!err) return resolve(text);
          const e = err as NodeJS.ErrnoException & { code?: string | number; killed?: boolean };
          const why =
            e.code === "ENOENT" ? "not found" : e.killed ? "timed out" : typeof e.code === "number" ? `exit ${e.code}` : (e.code ?? err.message);
          resolve(`(failed: ${why}${text ? `: ${text.split("\n").pop()}` : ""})`);
        });
      });
      this.memo.set(line, p);
    }
    return p;
  }
}
