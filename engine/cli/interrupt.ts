// SIGINT/SIGTERM at the CLI boundary. A command that can stop cleanly (a run, while it
// schedules nodes) says so: the signal then aborts it — it stops its executors, records
// itself as interrupted, releases the lock, prints one line naming what was running and
// ends with 130/143 — and if that hangs, the process ends anyway after a moment. Any
// other command (planning, preparing) ends at once with one line; the lock is released
// on the way out (host/lock.ts).
import { EXIT } from "../errors.js";

export const INTERRUPT_EXIT: Record<string, number> = { SIGINT: EXIT.sigint, SIGTERM: EXIT.sigterm };

export interface Interrupts {
  signal: AbortSignal;
  /** set while the command stops cleanly on an abort */
  handled: boolean;
}

export function interruptSignal(err: (s: string) => void): Interrupts & { off: () => void } {
  const controller = new AbortController();
  const state = { signal: controller.signal, handled: false };
  const handle = (name: "SIGINT" | "SIGTERM") => {
    if (controller.signal.aborted) return;
    controller.abort(name);
    if (!state.handled) {
      err(`\nflow: interrupted by ${name}\n`);
      process.exit(INTERRUPT_EXIT[name]);
    }
    // clean-ups are quick (kill workers, unlink the lock); never wait on a hung one
    setTimeout(() => process.exit(INTERRUPT_EXIT[name]), 3000).unref();
  };
  const onInt = () => handle("SIGINT");
  const onTerm = () => handle("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  return Object.assign(state, {
    off: () => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
    },
  });
}
