// A real HTTP server on 127.0.0.1 that stands in for the Allen bucket: it serves a folder
// under a URL prefix like S3 does (Range → 206 with Content-Range, ETag = the MD5 in
// quotes, Last-Modified, If-Range), counts every request and body byte it sends, and
// injects faults per file: drop the connection after N bytes, answer 503, send a short
// body under a full Content-Length, corrupt a byte, or trickle slowly.
import { createHash } from "node:crypto";
import { createServer, type Server, type ServerResponse } from "node:http";
import { readFileSync, statSync, existsSync } from "node:fs";
import { join } from "node:path";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, beforeEach } from "vitest";

export type Fault =
  | { kind: "drop"; after: number }
  | { kind: "status"; code: number }
  | { kind: "short"; bytes: number }
  | { kind: "corrupt" }
  /** bytes per second, in pieces of `piece` bytes (default 64 kB), for the rest of the file's requests (`once`: only the next) */
  | { kind: "slow"; rate: number; piece?: number; once?: boolean }
  /** an ETag that is not an MD5 (a multipart upload's) */
  | { kind: "multipart-etag" }
  /** the object is replaced by these bytes from now on (a new version), and Range requests get a 206 whatever If-Range says */
  | { kind: "replace"; data: Buffer; ignoreIfRange?: boolean }
  /** this answer instead of the object (a captive portal's page), once */
  | { kind: "body"; text: string; status?: number; type?: string }
  /** a redirect to another path below the prefix, once */
  | { kind: "redirect"; to: string; code?: number };

export interface Served {
  method: string;
  path: string;
  range?: string;
  status: number;
  bytes: number;
}

export class BucketServer {
  readonly log: Served[] = [];
  /** faults per path below the prefix, used one per request (a `slow` fault stays) */
  readonly faults = new Map<string, Fault[]>();
  private server?: Server;
  private sockets = new Set<Socket>();
  private md5 = new Map<string, string>();

  constructor(
    private readonly root: string,
    readonly prefix = "/visual-coding-neuropixels/ecephys-cache/",
  ) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}${this.prefix}`;
  }

  bytesSent(path?: string): number {
    return this.log.filter((r) => path === undefined || r.path === path).reduce((a, r) => a + r.bytes, 0);
  }

  requests(path?: string): Served[] {
    return this.log.filter((r) => path === undefined || r.path === path);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req.method ?? "GET", req.url ?? "/", req.headers, res));
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    return this;
  }

  async stop() {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server?.close(r));
  }

  private etag(path: string, file: string): string {
    let h = this.md5.get(path);
    if (!h) this.md5.set(path, (h = createHash("md5").update(readFileSync(file)).digest("hex")));
    return `"${h}"`;
  }

  private handle(method: string, url: string, headers: Record<string, string | string[] | undefined>, res: ServerResponse) {
    const entry: Served = { method, path: "", status: 0, bytes: 0, range: headers.range as string | undefined };
    this.log.push(entry);
    const reply = (code: number, body = "") => {
      entry.status = code;
      res.writeHead(code, { "content-length": Buffer.byteLength(body) }).end(body);
    };
    if (!url.startsWith(this.prefix)) return reply(404, "no such bucket path");
    const path = decodeURIComponent(url.slice(this.prefix.length));
    entry.path = path;
    const file = join(this.root, path);
    if (path.includes("..") || !existsSync(file) || !statSync(file).isFile()) return reply(404, "<Error><Code>NoSuchKey</Code></Error>");
    const queue = this.faults.get(path) ?? [];
    const slow = queue.find((f) => f.kind === "slow") as { rate: number; piece?: number; once?: boolean } | undefined;
    if (slow?.once) queue.splice(queue.indexOf(slow as Fault), 1);
    const multipart = queue.some((f) => f.kind === "multipart-etag");
    const replaced = queue.find((f) => f.kind === "replace") as { data: Buffer; ignoreIfRange?: boolean } | undefined;
    const fault = queue.find((f) => f.kind !== "slow" && f.kind !== "multipart-etag" && f.kind !== "replace");
    if (fault) queue.splice(queue.indexOf(fault), 1);
    if (fault?.kind === "status") return reply(fault.code, "<Error><Code>SlowDown</Code></Error>");
    if (fault?.kind === "body") {
      entry.status = fault.status ?? 200;
      res.writeHead(entry.status, { "content-type": fault.type ?? "text/html", "content-length": Buffer.byteLength(fault.text) }).end(fault.text);
      return;
    }
    if (fault?.kind === "redirect") {
      entry.status = fault.code ?? 302;
      res.writeHead(entry.status, { location: `${this.prefix}${fault.to}`, "content-length": 0 }).end();
      return;
    }

    let data = replaced ? replaced.data : readFileSync(file);
    const size = data.length;
    const md5 = replaced ? `"${createHash("md5").update(data).digest("hex")}"` : this.etag(path, file);
    const etag = multipart ? `"${md5.slice(1, 33)}-2"` : md5;
    const common = {
      etag,
      "last-modified": replaced ? new Date(statSync(file).mtimeMs + 60_000).toUTCString() : statSync(file).mtime.toUTCString(),
      "accept-ranges": "bytes",
      "content-type": "application/octet-stream",
    };
    let start = 0;
    let status = 200;
    const range = /^bytes=(\d+)-$/.exec((headers.range as string) ?? "");
    const ifRange = headers["if-range"] as string | undefined;
    if (range && (!ifRange || ifRange === etag || replaced?.ignoreIfRange)) {
      start = Number(range[1]);
      if (start >= size) {
        entry.status = 416;
        res.writeHead(416, { ...common, "content-range": `bytes */${size}`, "content-length": 0 }).end();
        return;
      }
      status = 206;
    }
    if (fault?.kind === "corrupt") {
      data = Buffer.from(data);
      const at = Math.max(start, Math.floor(size / 2));
      data[at] = data[at]! ^ 0xff;
    }
    const body = data.subarray(start);
    entry.status = status;
    res.writeHead(status, {
      ...common,
      "content-length": body.length,
      ...(status === 206 ? { "content-range": `bytes ${start}-${size - 1}/${size}` } : {}),
    });
    if (method === "HEAD") return res.end();
    let limit = body.length;
    if (fault?.kind === "drop") limit = Math.min(limit, fault.after);
    if (fault?.kind === "short") limit = Math.min(limit, fault.bytes);
    const finish = () => {
      if (limit === body.length) res.end();
      else if (fault?.kind === "short")
        res.socket?.end(); // a clean close: every byte sent arrives
      else res.socket?.destroy(); // a broken connection: bytes in flight are lost
    };
    if (!slow) {
      res.write(body.subarray(0, limit), () => {
        entry.bytes += limit;
        finish();
      });
      return;
    }
    // Trickle in pieces (64 kB unless the fault says) at the given rate.
    let sent = 0;
    const piece = slow.piece ?? 65536;
    const tick = () => {
      if (res.destroyed) return;
      if (sent >= limit) return finish();
      const n = Math.min(piece, limit - sent);
      res.write(body.subarray(sent, sent + n), () => {
        entry.bytes += n;
      });
      sent += n;
      setTimeout(tick, (1000 * n) / slow.rate);
    };
    tick();
  }
}

/** A server for the test file's tests: started once (handed to `set`), its log and faults cleared before each test, stopped after all. */
export function useBucketServer(cache: string, set: (s: BucketServer) => void) {
  let server: BucketServer | undefined;
  beforeAll(async () => {
    server = await new BucketServer(cache).start();
    set(server);
  });
  beforeEach(() => {
    server!.log.length = 0;
    server!.faults.clear();
  });
  afterAll(async () => {
    await server?.stop();
  });
}
