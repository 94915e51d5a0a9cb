// Expected failures of a command carry a machine-readable `reason`; the CLI boundary
// turns them into one clear line and a documented exit code (docs/guide.md, "Exit
// codes"). Anything else is a bug: exit 70, and its stack with --verbose. (A node's own
// failures are values, not exceptions: engine/lifecycle/result.ts.)

export type Reason =
  // 2: the command line or the pipeline file is wrong
  | "usage"
  | "pipeline-invalid"
  | "pipeline-missing"
  | "param-unknown"
  | "param-invalid"
  | "selector-invalid"
  // 1: a task failed
  | "task-failed"
  // 3: the environment: files, disks, locks, servers
  | "lock-held"
  | "input-missing"
  | "io-error"
  | "cache-unreachable"
  | "prepare-pending";

export const EXIT = {
  ok: 0,
  taskFailed: 1,
  usage: 2,
  environment: 3,
  internal: 70,
  sigint: 130,
  sigterm: 143,
} as const;

export function exitCodeOf(reason: Reason): number {
  switch (reason) {
    case "task-failed":
      return EXIT.taskFailed;
    case "usage":
    case "pipeline-invalid":
    case "pipeline-missing":
    case "param-unknown":
    case "param-invalid":
    case "selector-invalid":
      return EXIT.usage;
    default:
      return EXIT.environment;
  }
}

export class FlowError extends Error {
  constructor(
    readonly reason: Reason,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = "FlowError";
  }
  get exitCode(): number {
    return exitCodeOf(this.reason);
  }
}
