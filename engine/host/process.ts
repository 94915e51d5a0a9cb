// Facts about processes and this host that locks and temp names need.
import { hostname } from "node:os";

/** Whether a process with this pid exists on this host (EPERM: it does, not ours). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

let tag: string | undefined;
/** This host's name as lock and temp names carry it (no '/', no spaces; asked once: a uname per temp file is not free). */
export function hostTag(): string {
  return (tag ??= hostname().replace(/[^A-Za-z0-9._-]/g, "_") || "localhost");
}
