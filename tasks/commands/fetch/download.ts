// One file from an HTTP(S) URL into place, resumable and verified:
// - the bytes go to `<dest>.partial`, with `<dest>.partial.json` naming the remote object
//   they belong to (URL, ETag, Last-Modified, size); the final name appears only by a
//   rename once the file is complete and verified — never a partial file under it;
// - after any interruption (a dropped connection, a 5xx, a kill -9 of flow) the next
//   attempt asks for the rest with `Range`, guarded by `If-Range` so that a changed
//   object restarts from zero instead of splicing two versions;
// - verified against the size (Content-Length / Content-Range), against the ETag where
//   it is an MD5 (a single-part S3 object), and by a caller's check (the HDF5 end-of-file);
// - 5xx, 408, 429 and connection errors are retried with exponential backoff; any other
//   status is final. The free space is checked against the size before a byte is written.
import { createHash, type Hash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, readFileSync, renameSync, rmSync, statSync, statfsSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { noteDigest } from "#flow/command";
import { get as httpGet, type IncomingMessage } from "node:http";
import { get as httpsGet } from "node:https";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

/** What names a remote object: recorded in the fetch provenance. */
export interface RemoteIdentity {
  url: string;
  etag?: string;
  lastModified?: string;
  size: number;
}

export interface Fetched extends RemoteIdentity {
  /** the MD5 checked against the ETag, when the ETag is one */
  md5?: string;
  /** bytes already on disk when this fetch started (a resumed download) */
  resumedFrom: number;
  attempts: number;
}

export interface DownloadOptions {
  retries: number;
  /** first backoff; doubled each retry, at most 30 s */
  backoffMs: number;
  /** a connection silent this long is dropped and retried */
  idleTimeoutMs: number;
  /** bytes that arrived (for progress) and the size once known */
  onStart?(size: number, offset: number): void;
  onBytes?(n: number): void;
  /** one line per retry */
  onRetry?(why: string, attempt: number, waitMs: number): void;
  /** a last check of the complete file before it gets its name; throws to refuse it */
  verify?(path: string): void;
}

/** A failure that ends the download (with a message naming the URL). */
export class FetchFailure extends Error {
  constructor(
    readonly url: string,
    message: string,
  ) {
    super(message);
    this.name = "FetchFailure";
  }
}

/** A failure worth another attempt. */
class Retry extends Error {}

const MD5_ETAG = /^"?([0-9a-f]{32})"?$/;

export const partialOf = (dest: string) => `${dest}.partial`;
const metaOf = (dest: string) => `${dest}.partial.json`;

/** A file's size, 0 when it is not there (a connection can break before the first byte is written). */
function sizeOf(p: string): number {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
}

/** Bytes of `dest` already fetched by an interrupted download (0 if none). */
export function partialBytes(dest: string): number {
  try {
    return existsSync(metaOf(dest)) ? sizeOf(partialOf(dest)) : 0;
  } catch {
    return 0;
  }
}

export async function download(url: string, dest: string, opts: DownloadOptions): Promise<Fetched> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { ...(await attemptOnce(url, dest, opts)), attempts: attempt };
    } catch (e) {
      if (!(e instanceof Retry)) throw e instanceof FetchFailure ? e : new FetchFailure(url, `${url}: ${(e as Error).message}`);
      if (attempt > opts.retries) throw new FetchFailure(url, `${url}: ${e.message} (gave up after ${attempt} attempts)`);
      const wait = Math.min(30_000, opts.backoffMs * 2 ** (attempt - 1));
      opts.onRetry?.(e.message, attempt, wait);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

function readMeta(dest: string): RemoteIdentity | undefined {
  try {
    return JSON.parse(readFileSync(metaOf(dest), "utf8")) as RemoteIdentity;
  } catch {
    return undefined;
  }
}

function discardPartial(dest: string) {
  rmSync(partialOf(dest), { force: true });
  rmSync(metaOf(dest), { force: true });
}

function request(url: string, headers: Record<string, string>, idleTimeoutMs: number): Promise<IncomingMessage> {
  return new Promise((resolveRes, reject) => {
    const get = url.startsWith("https:") ? httpsGet : httpGet;
    const req = get(url, { headers }, resolveRes);
    req.setTimeout(idleTimeoutMs, () => req.destroy(new Error(`no data for ${idleTimeoutMs / 1000} s`)));
    req.on("error", (e: NodeJS.ErrnoException) => reject(new Retry(connectionText(e))));
  });
}

function connectionText(e: NodeJS.ErrnoException): string {
  const known: Record<string, string> = {
    ECONNREFUSED: "connection refused",
    ECONNRESET: "connection reset",
    ENOTFOUND: "host not found",
    ETIMEDOUT: "connection timed out",
    EHOSTUNREACH: "host unreachable",
    ENETUNREACH: "network unreachable",
    EAI_AGAIN: "name lookup failed",
  };
  return (e.code && known[e.code]) ?? e.message;
}

async function attemptOnce(url: string, dest: string, opts: DownloadOptions): Promise<Omit<Fetched, "attempts">> {
  const meta = readMeta(dest);
  let offset = meta && existsSync(partialOf(dest)) ? sizeOf(partialOf(dest)) : 0;
  if (!meta) discardPartial(dest);
  const headers: Record<string, string> = { "user-agent": "flow-fetch" };
  if (offset > 0) {
    headers.range = `bytes=${offset}-`;
    const validator = meta!.etag ?? meta!.lastModified;
    if (validator) headers["if-range"] = validator;
  }
  const res = await request(url, headers, opts.idleTimeoutMs);
  const status = res.statusCode ?? 0;
  const drop = () => res.destroy();
  let size: number;
  if (status === 200) {
    offset = 0; // the whole object (also what If-Range answers when it changed)
    const len = res.headers["content-length"];
    if (len === undefined) {
      drop();
      throw new FetchFailure(url, `${url}: the server sends no Content-Length, so the file cannot be verified`);
    }
    size = Number(len);
  } else if (status === 206) {
    const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(res.headers["content-range"] ?? "");
    if (!m || Number(m[1]) !== offset) {
      drop();
      discardPartial(dest);
      throw new Retry(`unexpected Content-Range '${res.headers["content-range"]}' for a request from byte ${offset}`);
    }
    size = Number(m[3]);
  } else if (status === 416 && meta && offset === meta.size) {
    drop(); // the partial file is already whole: verify it below
    size = meta.size;
  } else {
    drop();
    const text = `${status} ${res.statusMessage ?? ""}`.trim();
    if (status === 416) {
      discardPartial(dest);
      throw new Retry(text);
    }
    if (status >= 500 || status === 408 || status === 429) throw new Retry(text);
    throw new FetchFailure(url, `${url}: ${text}`);
  }
  const identity: RemoteIdentity = {
    url,
    etag: res.headers.etag ?? meta?.etag,
    lastModified: res.headers["last-modified"] ?? meta?.lastModified,
    size,
  };
  if (status !== 416) checkSpace(url, dest, size - offset, drop);
  writeFileSync(metaOf(dest), JSON.stringify(identity) + "\n");
  opts.onStart?.(size, offset);

  const md5Wanted = identity.etag ? MD5_ETAG.exec(identity.etag)?.[1] : undefined;
  const hash = md5Wanted ? createHash("md5") : undefined;
  // the sha256 of the same bytes, noted for the engine once the MD5 has confirmed them
  const sha = md5Wanted ? createHash("sha256") : undefined;
  if (hash && offset > 0) await hashPrefix(partialOf(dest), offset, hash, sha!);
  if (status !== 416) {
    const count = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash?.update(chunk);
        sha?.update(chunk);
        opts.onBytes?.(chunk.length);
        cb(null, chunk);
      },
    });
    try {
      await pipeline(res, count, createWriteStream(partialOf(dest), { flags: offset > 0 ? "a" : "w" }));
    } catch (e) {
      const got = sizeOf(partialOf(dest));
      throw new Retry(`connection lost at byte ${got} of ${size} (${connectionText(e as NodeJS.ErrnoException)})`);
    }
    if (!res.complete) throw new Retry(`connection closed at byte ${sizeOf(partialOf(dest))} of ${size}`);
  }
  const got = sizeOf(partialOf(dest));
  if (got !== size) {
    if (got > size) discardPartial(dest);
    throw new Retry(`size mismatch: received ${got} of ${size} bytes`);
  }
  let md5: string | undefined;
  if (hash) {
    md5 = hash.digest("hex");
    if (md5 !== md5Wanted) {
      discardPartial(dest);
      throw new Retry(`corrupt transfer: MD5 ${md5} ≠ ETag ${md5Wanted}`);
    }
  }
  try {
    opts.verify?.(partialOf(dest));
  } catch (e) {
    discardPartial(dest);
    throw new FetchFailure(url, `${url}: refused: ${(e as Error).message.replaceAll(partialOf(dest), dest)}`);
  }
  const hashedAs = statSync(partialOf(dest));
  renameSync(partialOf(dest), dest);
  rmSync(metaOf(dest), { force: true });
  // only bytes the server's MD5 vouched for get a note (bound to the stat after the rename)
  if (md5 !== undefined && sha) noteDigest(dest, sha.digest("hex"), hashedAs);
  return { ...identity, md5, resumedFrom: offset };
}

/** Free space for `need` more bytes, checked before the first byte is written. */
function checkSpace(url: string, dest: string, need: number, drop: () => void) {
  const fs = statfsSync(dirname(dest));
  const free = fs.bavail * fs.bsize;
  if (free < need) {
    drop();
    throw new FetchFailure(url, `${url}: not enough space in ${dirname(dest)}: ${gb(need)} needed, ${gb(free)} free`);
  }
}

export const gb = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(1)} kB`);

async function hashPrefix(path: string, n: number, ...hashes: Hash[]) {
  for await (const chunk of createReadStream(path, { start: 0, end: n - 1 })) for (const h of hashes) h.update(chunk as Buffer);
}
