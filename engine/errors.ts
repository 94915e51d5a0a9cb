// Expected failures carry a machine-readable `reason`; the CLI turns them into one
// clear line and an exit code. Anything else is a bug and shows its stack with --verbose.

export type Reason =
  | "usage" | "pipeline-invalid" | "pipeline-missing" | "param-unknown" | "param-invalid"
  | "selector-invalid" | "lock-held" | "input-missing" | "task-failed" | "cache-corrupt"
  | "io-error";

export class FlowError extends Error {
  constructor(readonly reason: Reason, message: string, readonly exitCode = 2) {
    super(message);
    this.name = "FlowError";
  }
}

export type Result<T, R extends string = Reason> =
  | { ok: true; value: T }
  | { ok: false; reason: R; message: string };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const fail = <R extends string>(reason: R, message: string): { ok: false; reason: R; message: string } =>
  ({ ok: false, reason, message });

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
