// The action index: node key → the hashes of the outputs that key produced. It goes
// through keyv, so the default file-backed store can be swapped for any keyv backend
// (redis://, postgresql://) with --cache-url / FLOW_CACHE_URL. Every entry read is
// checked: its shape (schemas/records.schema.json — another flow version, or anyone, may
// have written the server), and with a lab secret its signature.
import Keyv from "keyv";
import { createHmac, timingSafeEqual } from "node:crypto";
import { FsKeyvStore } from "./fs-keyv-store.js";
import { FlowError } from "../errors.js";
import { canonical } from "../hash/canonical.js";
import { checkServerUrl, redactText, redactUrl } from "../host/redact.js";
import { checkRecord, warnOnStderr, type Warn } from "../host/records.js";
import type { CacheEntry } from "./cache.js";
import type { OutputHashes } from "../model/graph-node.js";

const NS = "flow";

export interface IndexOptions {
  /** the folder of the file index (used without a URL) */
  dir: string;
  url?: string;
  /** how long opening a server index may take */
  timeoutMs: number;
  secret?: Buffer;
  warn?: Warn;
}

export class ActionIndex {
  /** nodes whose entry was refused (a bad signature or shape): said once, with a count */
  private readonly refused = new Map<string, string>();
  private readonly warn: Warn;

  private constructor(
    private readonly kv: Keyv<CacheEntry>,
    private readonly store: unknown,
    private readonly secret: Buffer | undefined,
    warn: Warn | undefined,
  ) {
    this.warn = warn ?? warnOnStderr;
  }

  static async open(o: IndexOptions): Promise<ActionIndex> {
    if (!o.url) {
      const store = new FsKeyvStore(o.dir);
      return new ActionIndex(new Keyv<CacheEntry>({ store, namespace: NS, throwOnErrors: true }), store, o.secret, o.warn);
    }
    const url = o.url;
    checkServerUrl(url, "--cache-url");
    const shown = redactUrl(url);
    const scheme = url.split(":")[0];
    const adapters: Record<string, string> = {
      redis: "@keyv/redis",
      rediss: "@keyv/redis",
      postgresql: "@keyv/postgres",
      postgres: "@keyv/postgres",
    };
    const pkg = adapters[scheme ?? ""];
    if (!pkg) throw new FlowError("usage", `--cache-url ${shown}: unsupported scheme '${scheme}' (redis://, postgresql://)`);
    let mod: { default: new (connect: string | object, opts?: object) => unknown };
    try {
      mod = await import(pkg);
    } catch {
      throw new FlowError("usage", `--cache-url ${shown}: the keyv adapter ${pkg} is not installed`);
    }
    const redis = { connected: false };
    let store: unknown;
    try {
      store =
        pkg === "@keyv/redis"
          ? new mod.default(
              { url, socket: { reconnectStrategy: redisReconnect(redis) } },
              { throwOnConnectError: true, throwOnErrors: true, connectionTimeout: o.timeoutMs },
            )
          : new mod.default(url);
    } catch (e) {
      throw new FlowError("usage", `--cache-url ${shown}: ${redactText((e as Error).message, url)}`);
    }
    (store as { client?: { on?: (e: string, f: () => void) => void } }).client?.on?.("ready", () => (redis.connected = true));
    // The adapter throws a generic "not connected" for any failed connect; the cause
    // (ECONNREFUSED, ENOTFOUND, WRONGPASS) comes before it as an error event.
    let cause: Error | undefined;
    (store as { on?: (e: string, f: (err: Error) => void) => void }).on?.("error", (err) => (cause ??= err));
    const kv = new Keyv<CacheEntry>({ store: store as never, namespace: NS, throwOnErrors: true });
    kv.on("error", () => {
      /* every failure also throws where it happens */
    });
    const index = new ActionIndex(kv, store, o.secret, o.warn);
    // One round trip now, bounded: an unreachable server is one clear error, not a hang
    // and not a run that silently indexes nothing.
    try {
      await withTimeout(kv.get("flow-connection-check"), o.timeoutMs);
    } catch (e) {
      void index.close().catch(() => undefined);
      const why = cause?.message || (e as Error).message || String(e);
      throw new FlowError("cache-unreachable", `cache index ${shown}: ${redactText(why, url)}`);
    }
    return index;
  }

  /**
   * The entry for a key, if it is valid: of the right shape, and with a lab secret signed
   * with it. Anyone who can write a shared index could otherwise point a key at another
   * valid object; a refused entry is as if absent (the node is recomputed).
   */
  async get(key: string, node?: string): Promise<CacheEntry | undefined> {
    const e = (await this.kv.get(key)) as unknown;
    if (e === undefined || e === null) return undefined;
    const bad = checkRecord("index-entry", e);
    if (bad) return this.refuse(key, node, `its cache index entry is not valid (${bad})`);
    const entry = e as CacheEntry;
    if (!this.secret) return entry;
    const want = Buffer.from(this.sign(key, entry.outputs), "hex");
    const got = Buffer.from(typeof entry.mac === "string" ? entry.mac : "", "hex");
    if (got.length === want.length && timingSafeEqual(got, want)) return entry;
    return this.refuse(key, node, `its cache index entry has ${entry.mac ? "an invalid" : "no"} signature (FLOW_CACHE_SECRET)`);
  }

  private refuse(key: string, node: string | undefined, why: string): undefined {
    if (!this.refused.has(key)) this.refused.set(key, `${node ?? `the node behind key ${key.slice(0, 12)}`}: ${why}`);
    return undefined;
  }

  /** The refusals, said once: the first in full, the others counted (a rotated secret refuses every entry). */
  flushWarnings() {
    if (this.refused.size === 0) return;
    const [first] = this.refused.values();
    const more = this.refused.size - 1;
    this.warn(
      `${first} — ignored; the node is recomputed${more ? ` (and ${more} more node${more === 1 ? "" : "s"} whose cache entries were refused: a rotated secret, or entries written without it?)` : ""}`,
    );
    this.refused.clear();
  }

  /** get() for planning: the file index answers "absent" from one listing, not a read per key. */
  lookup(key: string, node?: string): Promise<CacheEntry | undefined> {
    if (this.store instanceof FsKeyvStore && !this.store.mayHave(`${NS}:${key}`)) return Promise.resolve(undefined);
    return this.get(key, node);
  }
  async set(key: string, entry: CacheEntry) {
    const signed = this.secret ? { ...entry, mac: this.sign(key, entry.outputs) } : entry;
    if (!(await this.kv.set(key, signed))) throw new Error(`the cache index did not store ${key.slice(0, 12)}`);
  }
  private sign(key: string, outputs: OutputHashes): string {
    return createHmac("sha256", this.secret!).update(canonical({ key, outputs })).digest("hex");
  }
  async delete(key: string) {
    await this.kv.delete(key);
  }
  /** Every valid entry (key without namespace); entries of the wrong shape are skipped. Throws if the backend cannot enumerate. */
  async *entries(): AsyncGenerator<[string, CacheEntry]> {
    const it = (this.kv as unknown as { iterator?: () => AsyncGenerator<[string, unknown]> }).iterator;
    const valid = (v: unknown): v is CacheEntry => checkRecord("index-entry", v) === undefined;
    if (it) {
      for await (const [k, v] of it.call(this.kv)) if (valid(v)) yield [k, v];
      return;
    }
    // keyv only wires iterators for adapters it knows by name; ours has one too.
    const raw = (this.store as { iterator?: (ns: string) => AsyncGenerator<[string, string]> }).iterator;
    if (!raw) throw new FlowError("usage", "this cache index backend cannot list its entries");
    for await (const [k, v] of raw.call(this.store, NS)) {
      const data = (await this.kv.deserializeData(v)) as { value?: unknown } | undefined;
      if (valid(data?.value)) yield [k.startsWith(`${NS}:`) ? k.slice(NS.length + 1) : k, data.value];
    }
  }
  async close() {
    await this.kv.disconnect?.();
  }
}

/**
 * When the Redis client tries again. Before it has ever connected, never: a refused or
 * unknown server is an answer, and waiting out the timeout only delays the error, once
 * per command. Once connected, a dropped connection is retried with backoff
 * (the adapter's own schedule: 0.2, 0.4 … 2 s), so a blip does not fail a long run.
 */
function redisReconnect(state: { connected: boolean }) {
  return (retries: number, cause: Error): number | Error => (state.connected ? Math.min(2 ** (retries + 1) * 100, 2000) : cause);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
