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
