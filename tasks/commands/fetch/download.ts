// One file from an HTTP(S) URL into place, resumable and verified:
// - the bytes go to `<dest>.partial`, with `<dest>.partial.json` naming the remote object
//   they belong to (URL, ETag, Last-Modified, size); the final name appears only by a
//   rename once the file is complete and verified — never a partial file under it;
// - after any interruption (a dropped connection, a 5xx, a kill -9 of flow) the next
//   attempt asks for the rest with `Range`, guarded by `If-Range`; and whatever the
//   server does with If-Range, a 206 whose ETag, Last-Modified or total size is not the
//   saved object's starts the file over — two versions are never spliced;
// - verified against the size (Content-Length / Content-Range), against the ETag where
//   it is an MD5 (a single-part S3 object), and by a caller's check (the HDF5 end-of-file,
//   a table's header);
// - 5xx, 408, 429, dropped connections and stalls (less than a minimum rate over a
//   window) are retried with exponential backoff; a refused connection or an unknown
//   host fails within seconds; any other status is final. Redirects are followed (at
//   most MAX_REDIRECTS). The free space is reserved before a byte is written (space.ts).
import { createHash, type Hash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { noteDigest } from "#flow/command";
import { get as httpGet, type IncomingMessage } from "node:http";
import { get as httpsGet } from "node:https";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { NoSpace, type Space } from "./space.js";

export { gb } from "./space.js";

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
  /** where a redirect led, if one did */
  finalUrl?: string;
}

export interface DownloadOptions {
  retries: number;
  /** first backoff; doubled each retry, at most 30 s */
  backoffMs: number;
  /** a connection silent this long is dropped and retried */
  idleTimeoutMs: number;
  /** a transfer slower than `minRate` bytes/s over `stallWindowMs` counts as stalled (retried) */
  minRate: number;
  stallWindowMs: number;
  /** reservations of free space shared by the downloads in flight */
  space: Space;
  /** bytes that arrived (for progress) and the size once known */
  onStart?(size: number, offset: number): void;
  onBytes?(n: number): void;
  /** one line per retry, and per redirect */
  onRetry?(why: string, attempt: number, waitMs: number): void;
  onNote?(message: string): void;
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

/** A failure worth another attempt; `quick`: one that comes back at once (a refused connection), tried only a few times, quickly. */
class Retry extends Error {
  constructor(
    message: string,
    readonly quick = false,
  ) {
    super(message);
  }
}

/** Waiting for free space: not an attempt. */
class WaitForSpace extends Error {
  constructor(readonly generation: number) {
    super("waiting for space");
  }
}

const MD5_ETAG = /^"?([0-9a-f]{32})"?$/;
const MAX_REDIRECTS = 5;
const QUICK_TRIES = 3;

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
  let quick = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return { ...(await attemptOnce(url, dest, opts)), attempts: attempt };
    } catch (e) {
      if (e instanceof WaitForSpace) {
        attempt--;
        await opts.space.released(e.generation);
        continue;
      }
      if (!(e instanceof Retry)) throw e instanceof FetchFailure ? e : new FetchFailure(url, `${url}: ${(e as Error).message}`);
      if (e.quick && ++quick >= QUICK_TRIES)
        throw new FetchFailure(url, `${url}: ${e.message} (gave up after ${attempt} attempts: is the source URL right, and the server up?)`);
      if (attempt > opts.retries) throw new FetchFailure(url, `${url}: ${e.message} (gave up after ${attempt} attempts)`);
      const wait = e.quick ? 200 * quick : Math.min(30_000, opts.backoffMs * 2 ** (attempt - 1));
      opts.onRetry?.(e.message, attempt, wait);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

function readMeta(dest: string): RemoteIdentity | undefined {
  try {
    const m = JSON.parse(readFileSync(metaOf(dest), "utf8")) as RemoteIdentity;
    return typeof m.url === "string" && typeof m.size === "number" ? m : undefined;
  } catch {
    return undefined;
  }
}

function discardPartial(dest: string) {
  rmSync(partialOf(dest), { force: true });
  rmSync(metaOf(dest), { force: true });
}

const CONNECTION: Record<string, { text: string; quick: boolean }> = {
  ECONNREFUSED: { text: "connection refused", quick: true },
  ENOTFOUND: { text: "host not found", quick: true },
  EAI_AGAIN: { text: "name lookup failed", quick: true },
  EHOSTUNREACH: { text: "host unreachable", quick: true },
  ENETUNREACH: { text: "network unreachable", quick: true },
  ECONNRESET: { text: "connection reset", quick: false },
  ETIMEDOUT: { text: "connection timed out", quick: false },
};
const connectionText = (e: NodeJS.ErrnoException) => (e.code && CONNECTION[e.code]?.text) ?? e.message;

/** One GET, following redirects (at most MAX_REDIRECTS); resolves with the final response and where it came from. */
function request(url: string, headers: Record<string, string>, opts: DownloadOptions, hops = 0): Promise<{ res: IncomingMessage; url: string }> {
  return new Promise((resolveRes, reject) => {
    const get = url.startsWith("https:") ? httpsGet : httpGet;
    const req = get(url, { headers }, (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if ([301, 302, 303, 307, 308].includes(status) && location) {
        res.resume();
        if (hops >= MAX_REDIRECTS) return reject(new FetchFailure(url, `${url}: more than ${MAX_REDIRECTS} redirects (the last to ${location})`));
        const next = new URL(location, url).href;
        opts.onNote?.(`redirected to ${next}`);
        return request(next, headers, opts, hops + 1).then(resolveRes, reject);
      }
      resolveRes({ res, url });
    });
    req.setTimeout(opts.idleTimeoutMs, () => req.destroy(new Error(`no data for ${opts.idleTimeoutMs / 1000} s`)));
    req.on("error", (e: NodeJS.ErrnoException) => reject(new Retry(connectionText(e), !!(e.code && CONNECTION[e.code]?.quick))));
  });
}

/** Why a 206 does not continue the saved partial file (another version of the object), or undefined. */
function changedObject(res: IncomingMessage, meta: RemoteIdentity, total: number): string | undefined {
  if (total !== meta.size) return `its size is now ${total} bytes, not ${meta.size}`;
  const etag = res.headers.etag;
  if (meta.etag !== undefined && etag !== meta.etag) return `its ETag is now ${etag ?? "absent"}, not ${meta.etag}`;
  const lm = res.headers["last-modified"];
  if (meta.lastModified !== undefined && lm !== meta.lastModified) return `its Last-Modified is now ${lm ?? "absent"}, not ${meta.lastModified}`;
  return undefined;
}

/** The response's size, and from which byte it starts, for the file as it is on disk; throws Retry to start over. */
function sizeAndOffset(
  url: string,
  dest: string,
  res: IncomingMessage,
  meta: RemoteIdentity | undefined,
  offset: number,
): { size: number; offset: number } {
  const status = res.statusCode ?? 0;
  const drop = () => res.destroy();
  if (status === 200) {
    const len = res.headers["content-length"];
    if (len === undefined) {
      drop();
      throw new FetchFailure(url, `${url}: the server sends no Content-Length, so the file cannot be verified`);
    }
    return { size: Number(len), offset: 0 }; // the whole object (also what If-Range answers when it changed)
  }
  if (status === 206) {
    const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(res.headers["content-range"] ?? "");
    if (!m || Number(m[1]) !== offset) {
      drop();
      discardPartial(dest);
      throw new Retry(`unexpected Content-Range '${res.headers["content-range"]}' for a request from byte ${offset}`);
    }
    const changed = meta ? changedObject(res, meta, Number(m[3])) : "nothing is known of the bytes on disk";
    if (changed) {
      drop();
      discardPartial(dest);
      throw new Retry(`the object changed since the download began (${changed}): starting over`);
    }
    return { size: Number(m[3]), offset };
  }
  if (status === 416 && meta && offset === meta.size) {
    drop(); // the partial file is already whole: verify it below
    return { size: meta.size, offset };
  }
  drop();
  const text = `${status} ${res.statusMessage ?? ""}`.trim();
  if (status === 416) {
    discardPartial(dest);
    throw new Retry(text);
  }
  if (status >= 500 || status === 408 || status === 429) throw new Retry(text);
  throw new FetchFailure(url, `${url}: ${text}`);
}

/** Counts bytes, feeds the hashes, and drops a connection that delivers less than the minimum rate over the window. */
function meter(opts: DownloadOptions, hashes: Hash[], res: IncomingMessage): { transform: Transform; stop: () => void } {
  const marks: { t: number; bytes: number }[] = [{ t: Date.now(), bytes: 0 }];
  let total = 0;
  const timer = setInterval(
    () => {
      const now = Date.now();
      while (marks.length > 1 && now - marks[1]!.t >= opts.stallWindowMs) marks.shift();
      const first = marks[0]!;
      if (now - first.t >= opts.stallWindowMs && (total - first.bytes) / ((now - first.t) / 1000) < opts.minRate) {
        const got = total - first.bytes;
        res.destroy(new Error(`stalled: ${got} bytes in the last ${((now - first.t) / 1000).toFixed(0)} s (less than ${opts.minRate} bytes/s)`));
      }
    },
    Math.min(1000, opts.stallWindowMs / 4),
  );
  timer.unref();
  const transform = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      for (const h of hashes) h.update(chunk);
      total += chunk.length;
      const now = Date.now();
      if (now - marks[marks.length - 1]!.t >= 250) marks.push({ t: now, bytes: total });
      opts.onBytes?.(chunk.length);
      cb(null, chunk);
    },
  });
  return { transform, stop: () => clearInterval(timer) };
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
  const { res, url: finalUrl } = await request(url, headers, opts);
  const status = res.statusCode ?? 0;
  const sized = sizeAndOffset(url, dest, res, meta, offset);
  const size = sized.size;
  offset = sized.offset;
  const identity: RemoteIdentity = {
    url,
    etag: res.headers.etag ?? meta?.etag,
    lastModified: res.headers["last-modified"] ?? meta?.lastModified,
    size,
  };
  let release: (() => void) | undefined;
  if (status !== 416) {
    const generation = opts.space.generation;
    try {
      release = opts.space.tryReserve(dirname(dest), size - offset);
    } catch (e) {
      res.destroy();
      if (e instanceof NoSpace) throw new FetchFailure(url, `${url}: ${e.message}`);
      throw e;
    }
    if (!release) {
      res.destroy(); // others in flight will free space: wait for one, then ask again
      throw new WaitForSpace(generation);
    }
  }
  try {
    writeFileSync(metaOf(dest), JSON.stringify(identity) + "\n");
    opts.onStart?.(size, offset);
    const wantedMd5 = identity.etag ? MD5_ETAG.exec(identity.etag)?.[1] : undefined;
    const hash = wantedMd5 ? createHash("md5") : undefined;
    // the sha256 of the same bytes, noted for the engine once the MD5 has confirmed them
    const sha = wantedMd5 ? createHash("sha256") : undefined;
    if (hash && offset > 0) await hashPrefix(partialOf(dest), offset, hash, sha!);
    if (status !== 416) {
      const m = meter(opts, hash ? [hash, sha!] : [], res);
      try {
        await pipeline(res, m.transform, createWriteStream(partialOf(dest), { flags: offset > 0 ? "a" : "w" }));
      } catch (e) {
        const got = sizeOf(partialOf(dest));
        const err = e as NodeJS.ErrnoException;
        throw new Retry(
          err.message?.startsWith("stalled")
            ? `${err.message} at byte ${got} of ${size}`
            : `connection lost at byte ${got} of ${size} (${connectionText(err)})`,
        );
      } finally {
        m.stop();
      }
      if (!res.complete) throw new Retry(`connection closed at byte ${sizeOf(partialOf(dest))} of ${size}`);
    }
    return finish(url, dest, opts, { identity, size, offset, wantedMd5, hash, sha, finalUrl });
  } finally {
    release?.();
  }
}

/** The complete partial file: sizes, MD5, the caller's check, then its name and its digest note. */
function finish(
  url: string,
  dest: string,
  opts: DownloadOptions,
  f: { identity: RemoteIdentity; size: number; offset: number; wantedMd5?: string; hash?: Hash; sha?: Hash; finalUrl: string },
): Omit<Fetched, "attempts"> {
  const got = sizeOf(partialOf(dest));
  if (got !== f.size) {
    if (got > f.size) discardPartial(dest);
    throw new Retry(`size mismatch: received ${got} of ${f.size} bytes`);
  }
  let md5: string | undefined;
  if (f.hash) {
    md5 = f.hash.digest("hex");
    if (md5 !== f.wantedMd5) {
      discardPartial(dest);
      throw new Retry(`corrupt transfer: MD5 ${md5} ≠ ETag ${f.wantedMd5}`);
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
  if (md5 !== undefined && f.sha) noteDigest(dest, f.sha.digest("hex"), hashedAs);
  return { ...f.identity, md5, resumedFrom: f.offset, finalUrl: f.finalUrl !== url ? f.finalUrl : undefined };
}

async function hashPrefix(path: string, n: number, ...hashes: Hash[]) {
  for await (const chunk of createReadStream(path, { start: 0, end: n - 1 })) for (const h of hashes) h.update(chunk as Buffer);
}
