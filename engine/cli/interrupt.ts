// SIGINT/SIGTERM at the CLI boundary: stop the executors (workers, jobs), release the
// lock (Lock registers that on process exit), say in one line what was interrupted,
// and exit 130/143. No stack trace, no failure lines from nodes that died with us.
import { EXIT } from "../errors.js";

type Cleanup = () => void | Promise<void>;

const cleanups = new Set<Cleanup>();
let interrupting = false;
let describe: (() => string) | undefined;

/** Runs `fn` when the process is interrupted; returns the function that unregisters it. */
export function onInterrupt(fn: Cleanup): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/** What the interrupted command was doing, for the one line it prints ("3 nodes running: …"). */
export function describeInterrupt(fn: (() => string) | undefined) {
  describe = fn;
}

/** True once a signal arrived: reporters drop the failures of nodes that died with us. */
export function isInterrupting() {
  return interrupting;
}

export function installSignalHandlers(err: (s: string) => void) {
  const handle = (signal: "SIGINT" | "SIGTERM") => {
    if (interrupting) return;
    interrupting = true;
    const what = describe?.();
    err(`\nflow: interrupted by ${signal}${what ? `; ${what}` : ""}\n`);
    const code = signal === "SIGINT" ? EXIT.sigint : EXIT.sigterm;
    const all = [...cleanups].map((fn) =>
      Promise.resolve()
        .then(fn)
        .catch(() => undefined),
    );
    // Cleanups are quick (kill workers, unlink the lock); never wait on a hung one.
    const timer = setTimeout(() => process.exit(code), 2000);
    void Promise.all(all).then(() => {
      clearTimeout(timer);
      process.exit(code);
    });
  };
  process.on("SIGINT", () => handle("SIGINT"));
  process.on("SIGTERM", () => handle("SIGTERM"));
}
