// The action index: node key → the hashes of the outputs that key produced. It goes
// through keyv, so the default file-backed store can be swapped for any keyv backend
// (redis://, postgresql://) with --cache-url / FLOW_CACHE_URL.
import Keyv from "keyv";
import { createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { FsKeyvStore } from "./fs-keyv-store.js";
import { FlowError } from "../errors.js";
import { canonical } from "../hash/canonical.js";
import { redactUrl, redactText } from "../redact.js";

export type OutputHashes = Record<string, string | Record<string, string>>;

export interface IndexEntry {
  outputs: OutputHashes;
  /** the node that first produced it: for humans and `flow gc` reports */
  node: string;
  at: string;
  /** HMAC-SHA256 over the key and the outputs, with the lab's secret (FLOW_CACHE_SECRET) */
  mac?: string;
}

const NS = "flow";

/**
 * The lab's secret for signing index entries: FLOW_CACHE_SECRET, or the file named by
 * FLOW_CACHE_SECRET_FILE. Without one, entries are trusted as they are (README: threat model).
 */
export function cacheSecret(env = process.env): Buffer | undefined {
  let s = env.FLOW_CACHE_SECRET;
  let from = "FLOW_CACHE_SECRET";
  if (!s && env.FLOW_CACHE_SECRET_FILE) {
    from = `FLOW_CACHE_SECRET_FILE (${env.FLOW_CACHE_SECRET_FILE})`;
    try {
      s = readFileSync(env.FLOW_CACHE_SECRET_FILE, "utf8").trim();
    } catch (e) {
      throw new FlowError("io-error", `${from}: cannot read the key file (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
  }
  if (!s) return undefined;
  if (s.length < 16)
    throw new FlowError("usage", `${from} is too short (${s.length} characters): use at least 16, e.g. the output of 'openssl rand -hex 32'`);
  return Buffer.from(s, "utf8");
}

export class ActionIndex {
  /** keys whose entry was refused, each reported once */
  private readonly refused = new Set<string>();
  /** where a refused entry is reported (the run's logger, or stderr) */
  onRefused: (message: string) => void = (m) => process.stderr.write(`warning: ${m}\n`);

  private constructor(
    private readonly kv: Keyv<IndexEntry>,
    private readonly store: unknown,
    private readonly secret?: Buffer,
  ) {}

  static async open(dir: string, url?: string, timeoutMs = connectTimeoutMs(), secret = cacheSecret()): Promise<ActionIndex> {
    if (!url) {
      const store = new FsKeyvStore(dir);
      return new ActionIndex(new Keyv<IndexEntry>({ store, namespace: NS, throwOnErrors: true }), store, secret);
    }
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
    const store =
      pkg === "@keyv/redis"
        ? new mod.default(
            { url, socket: { reconnectStrategy: redisReconnect(redis) } },
            { throwOnConnectError: true, throwOnErrors: true, connectionTimeout: timeoutMs },
          )
        : new mod.default(url);
    (store as { client?: { on?: (e: string, f: () => void) => void } }).client?.on?.("ready", () => (redis.connected = true));
    // The adapter throws a generic "not connected" for any failed connect; the cause
    // (ECONNREFUSED, ENOTFOUND, WRONGPASS) comes before it as an error event.
    let cause: Error | undefined;
    (store as { on?: (e: string, f: (err: Error) => void) => void }).on?.("error", (err) => (cause ??= err));
    const kv = new Keyv<IndexEntry>({ store: store as never, namespace: NS, throwOnErrors: true });
    kv.on("error", () => {
      /* every failure also throws where it happens */
    });
    const index = new ActionIndex(kv, store, secret);
    // One round trip now, bounded: an unreachable server is one clear error, not a hang
    // and not a run that silently indexes nothing.
    try {
      await withTimeout(kv.get("flow-connection-check"), timeoutMs);
    } catch (e) {
      void index.close().catch(() => undefined);
      const why = cause?.message || (e as Error).message || String(e);
      throw new FlowError("cache-unreachable", `cache index ${shown}: ${redactText(url, why)}`);
    }
    return index;
  }

  /**
   * The entry for a key. With a lab secret, an entry without a valid signature is
   * ignored (reported once, naming the node): someone who can write the shared index
   * must not be able to point a key at another valid object.
   */
  async get(key: string, node?: string): Promise<IndexEntry | undefined> {
    const e = (await this.kv.get(key)) as IndexEntry | undefined;
    if (!e || !this.secret) return e;
    const want = Buffer.from(this.sign(key, e.outputs), "hex");
    const got = Buffer.from(typeof e.mac === "string" ? e.mac : "", "hex");
    if (got.length === want.length && timingSafeEqual(got, want)) return e;
    if (!this.refused.has(key)) {
      this.refused.add(key);
      this.onRefused(
        `${node ?? `the node behind key ${key.slice(0, 12)}`}: its cache index entry has ${e.mac ? "an invalid" : "no"} signature (FLOW_CACHE_SECRET) — ignored; the node is recomputed`,
      );
    }
    return undefined;
  }
  /** get() for planning: the file index answers "absent" from one listing, not a read per key. */
  lookup(key: string, node?: string): Promise<IndexEntry | undefined> {
    if (this.store instanceof FsKeyvStore && !this.store.mayHave(`${NS}:${key}`)) return Promise.resolve(undefined);
    return this.get(key, node);
  }
  async set(key: string, entry: IndexEntry) {
    const signed = this.secret ? { ...entry, mac: this.sign(key, entry.outputs) } : entry;
    if (!(await this.kv.set(key, signed))) throw new Error(`the cache index did not store ${key.slice(0, 12)}`);
  }
  private sign(key: string, outputs: OutputHashes): string {
    return createHmac("sha256", this.secret!).update(canonical({ key, outputs })).digest("hex");
  }
  async delete(key: string) {
    await this.kv.delete(key);
  }
  /** Every entry (key without namespace). Throws if the backend cannot enumerate. */
  async *entries(): AsyncGenerator<[string, IndexEntry]> {
    const it = (this.kv as unknown as { iterator?: () => AsyncGenerator<[string, IndexEntry]> }).iterator;
    if (it) {
      for await (const [k, v] of it.call(this.kv)) yield [k, v];
      return;
    }
    // keyv only wires iterators for adapters it knows by name; ours has one too.
    const raw = (this.store as { iterator?: (ns: string) => AsyncGenerator<[string, string]> }).iterator;
    if (!raw) throw new FlowError("usage", "this cache index backend cannot list its entries");
    for await (const [k, v] of raw.call(this.store, NS)) {
      const data = (await this.kv.deserializeData(v)) as { value?: IndexEntry } | undefined;
      if (data?.value) yield [k.startsWith(`${NS}:`) ? k.slice(NS.length + 1) : k, data.value];
    }
  }
  async close() {
    await this.kv.disconnect?.();
  }
}

/** Every object hash an entry refers to. */
export function entryHashes(e: IndexEntry): string[] {
  return Object.values(e.outputs).flatMap((o) => (typeof o === "string" ? [o] : Object.values(o)));
}

/**
 * When the Redis client tries again. Before it has ever connected, never: a refused or
 * unknown server is an answer, and waiting out the timeout only delays the error (it
 * took 5 s a command). Once connected, a dropped connection is retried with backoff
 * (the adapter's own schedule: 0.2, 0.4 … 2 s), so a blip does not fail a long run.
 */
function redisReconnect(state: { connected: boolean }) {
  return (retries: number, cause: Error): number | Error => (state.connected ? Math.min(2 ** (retries + 1) * 100, 2000) : cause);
}

/** How long opening a server index may take (FLOW_CACHE_TIMEOUT_MS, default 5 s). */
function connectTimeoutMs(): number {
  const v = Number(process.env.FLOW_CACHE_TIMEOUT_MS);
  return Number.isFinite(v) && v > 0 ? v : 5000;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export { redactUrl, redactText };
