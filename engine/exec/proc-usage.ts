// Per-node resource use from Linux /proc: CPU ticks (stat), peak resident set (status
// VmHWM, which writing "5" to clear_refs resets — so a reused worker reports the peak
// of this node, not of its whole life) and bytes through read/write calls (io). Off
// Linux, or where /proc is not readable, every figure is simply absent.
import { readFileSync, writeFileSync } from "node:fs";

const TICK_MS = 10; // USER_HZ is 100 on every Linux ABI node runs on

export interface ProcSample {
  cpuMs?: number;
  hwmKb?: number;
  rchar?: number;
  wchar?: number;
}

export function sample(pid: number | "self"): ProcSample {
  const s: ProcSample = {};
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields from 3 (state) on
    s.cpuMs = (Number(f[11]) + Number(f[12])) * TICK_MS; // utime + stime
  } catch {
    /* gone, or not Linux */
  }
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    if (m) s.hwmKb = Number(m[1]);
  } catch {
    /* idem */
  }
  try {
    const io = readFileSync(`/proc/${pid}/io`, "utf8");
    s.rchar = Number(/rchar: (\d+)/.exec(io)?.[1]);
    s.wchar = Number(/wchar: (\d+)/.exec(io)?.[1]);
  } catch {
    /* idem */
  }
  return s;
}

/** Resets this process's peak RSS so the next VmHWM is this node's own. */
export function resetPeak(): void {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
  } catch {
    /* older kernel or not Linux */
  }
}

const mb = (kb?: number) => (kb === undefined ? undefined : Math.round(kb / 1024));
const diff = (a?: number, b?: number) => (a === undefined || b === undefined || Number.isNaN(a) || Number.isNaN(b) ? undefined : Math.max(0, a - b));

/** The usage between two samples of one process. */
export function between(before: ProcSample, after: ProcSample) {
  return {
    cpuMs: diff(after.cpuMs, before.cpuMs),
    maxRssMb: mb(after.hwmKb),
    readBytes: diff(after.rchar, before.rchar),
    writeBytes: diff(after.wchar, before.wchar),
  };
}
