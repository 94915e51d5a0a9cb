// Expected failures carry a machine-readable `reason`; the CLI boundary turns them into
// one clear line and a documented exit code (README, "Exit codes"). Anything else is a
// bug: exit 70, and its stack with --verbose.

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
  | "input-changed"
  | "io-error"
  | "cache-unreachable"
  | "cache-corrupt"
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

/** An expected failure as a value: executors, store and restore return these. */
export interface Failure {
  reason: Reason;
  message: string;
  /** a stack or a log tail, shown with --verbose */
  detail?: string;
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
  static of(f: Failure): FlowError {
    return new FlowError(f.reason, f.message, f.detail);
  }
}

const ERRNO_TEXT: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOSPC: "no space left on the device",
  EROFS: "read-only file system",
  ENOTDIR: "a parent is not a directory",
  EISDIR: "is a directory",
  ENOENT: "no such file or directory",
  EEXIST: "already exists",
  EMFILE: "too many open files",
  EIO: "input/output error",
  ELOOP: "too many levels of symbolic links",
  EDQUOT: "disk quota exceeded",
};

/** Node's file-system errors (they carry code, syscall and path) as one readable line. */
export function systemFailure(e: unknown): Failure | undefined {
  const err = e as NodeJS.ErrnoException;
  if (!err || typeof err.code !== "string" || !ERRNO_TEXT[err.code] || typeof err.syscall !== "string") return undefined;
  const where = err.path ? `${err.path}: ` : "";
  const dest = (err as { dest?: string }).dest ? ` (→ ${(err as { dest?: string }).dest})` : "";
  return { reason: "io-error", message: `${where}cannot ${err.syscall}${dest}: ${ERRNO_TEXT[err.code]} (${err.code})` };
}
