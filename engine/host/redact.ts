// Credentials never leak: every URL flow shows or records has them replaced by ***.
// The one redaction of the program. A URL's credentials are everything between `://` and
// the last `@` of the URL (a password may hold `/`, `?`, `#` or `@` that its owner did not
// percent-encode: cutting at the first of those would show the rest of it).
import { FlowError } from "../errors.js";

/** scheme:// … @ within one whitespace-free run: greedy, so up to the run's last @ */
const CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s]*@/gi;

/** A URL as it may be shown: credentials replaced by *** (redis://***@host:6379). */
export function redactUrl(url: string): string {
  return url.replace(CREDENTIALS, "$1***@");
}

/**
 * Any text (a message, a command line, a param value): every URL in it loses its
 * credentials; given the URL itself, every other appearance of its password too (as
 * typed, and percent-decoded), as a client library may quote it alone.
 */
export function redactText(text: string, url?: string): string {
  let out = text.replace(CREDENTIALS, "$1***@");
  const m = url === undefined ? undefined : /^[a-z][a-z0-9+.-]*:\/\/(.*)@/i.exec(url);
  if (m) {
    const cred = m[1]!;
    const pass = cred.includes(":") ? cred.slice(cred.indexOf(":") + 1) : cred;
    let decoded = pass;
    try {
      decoded = decodeURIComponent(pass);
    } catch {
      /* not %-encoded */
    }
    for (const secret of [cred, pass, decoded]) if (secret.length >= 3) out = out.split(secret).join("***");
  }
  return out;
}

/** Credentials out of anything recorded: every string in a value (a param, an argv) redacted. */
export function redactValue<T>(v: T): T {
  if (typeof v === "string") return redactText(v) as T;
  if (Array.isArray(v)) return v.map((x) => redactValue(x)) as T;
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactValue(x)])) as T;
  return v;
}

const ENCODE_HINT = "percent-encode special characters in the user name and password (/ → %2F, ? → %3F, # → %23, @ → %40, % → %25)";

/**
 * A server URL checked before any client sees it: it must parse, name a host, and hold
 * only valid %-escapes in its credentials — otherwise one usage error (exit 2) naming
 * the redacted URL and how to write it, never a client's crash or a password in clear.
 */
export function checkServerUrl(url: string, what: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new FlowError("usage", `${what} ${redactUrl(url)}: not a valid URL; ${ENCODE_HINT}`);
  }
  if (!u.hostname) throw new FlowError("usage", `${what} ${redactUrl(url)}: no host in the URL; ${ENCODE_HINT}`);
  try {
    decodeURIComponent(u.username);
    decodeURIComponent(u.password);
  } catch {
    throw new FlowError("usage", `${what} ${redactUrl(url)}: the credentials hold a '%' that is not a valid escape; ${ENCODE_HINT}`);
  }
  return u;
}
