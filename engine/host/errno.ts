// Node's file-system errors (they carry code, syscall and path) as one readable line:
// the one errno table of the program.

const ERRNO_TEXT: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOSPC: "disk full",
  EROFS: "read-only file system",
  ENOTDIR: "a parent is not a directory",
  EISDIR: "is a directory",
  ENOENT: "no such file or directory",
  EEXIST: "already exists",
  EMFILE: "too many open files",
  EIO: "input/output error",
  ELOOP: "too many levels of symbolic links",
  EDQUOT: "disk quota exceeded",
  EXDEV: "not on the same file system",
};

/** The words for an errno code ("ENOSPC" → "no space left on the device"), or the code itself. */
export function errnoText(code: string | undefined): string {
  return (code && ERRNO_TEXT[code]) ?? code ?? "unknown error";
}

/** A system error as one line naming the path, the operation and the cause; undefined for anything else. */
export function systemFailure(e: unknown): { message: string } | undefined {
  const err = e as NodeJS.ErrnoException;
  if (!err || typeof err.code !== "string" || !ERRNO_TEXT[err.code] || typeof err.syscall !== "string") return undefined;
  const where = err.path ? `${err.path}: ` : "";
  const dest = (err as { dest?: string }).dest ? ` (→ ${(err as { dest?: string }).dest})` : "";
  return { message: `${where}cannot ${err.syscall}${dest}: ${ERRNO_TEXT[err.code]} (${err.code})` };
}

/** A message for any error: the system error's line, else its message. */
export function errorText(e: unknown): string {
  return systemFailure(e)?.message ?? (e instanceof Error ? e.message : String(e));
}
