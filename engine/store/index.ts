// The action index: node key → the hashes of the outputs that key produced. It goes
// through keyv, so the default file-backed store can be swapped for any keyv backend
// (redis://, postgresql://) with --cache-url / FLOW_CACHE_URL.
import Keyv from "keyv";
import { FsKeyvStore } from "./fs-keyv-store.js";
import { FlowError } from "../errors.js";

export type OutputHashes = Record<string, string | Record<string, string>>;

export interface IndexEntry {
  outputs: OutputHashes;
  /** the node that first produced it: for humans and `flow gc` reports */
  node: string;
  at: string;
}

const NS = "flow";

export class ActionIndex {
  private constructor(private readonly kv: Keyv<IndexEntry>, private readonly store: unknown) {}

  static async open(dir: string, url?: string, timeoutMs = connectTimeoutMs()): Promise<ActionIndex> {
    if (!url) {
      const store = new FsKeyvStore(dir);
      return new ActionIndex(new Keyv<IndexEntry>({ store, namespace: NS, throwOnErrors: true }), store);
    }
    const shown = redactUrl(url);
    const scheme = url.split(":")[0];
    const adapters: Record<string, string> = { redis: "@keyv/redis", rediss: "@keyv/redis", postgresql: "@keyv/postgres", postgres: "@keyv/postgres" };
    const pkg = adapters[scheme ?? ""];
    if (!pkg) throw new FlowError("usage", `--cache-url ${shown}: unsupported scheme '${scheme}' (redis://, postgresql://)`);
    let mod: { default: new (url: string, opts?: object) => unknown };
    try {
      mod = await import(pkg);
    } catch {
      throw new FlowError("usage", `--cache-url ${shown}: the keyv adapter ${pkg} is not installed`);
    }
    const store = new mod.default(url, pkg === "@keyv/redis"
      ? { throwOnConnectError: true, throwOnErrors: true, connectionTimeout: timeoutMs }
      : undefined);
    const kv = new Keyv<IndexEntry>({ store: store as never, namespace: NS, throwOnErrors: true });
    kv.on("error", () => { /* every failure also throws where it happens */ });
    const index = new ActionIndex(kv, store);
    // One round trip now, bounded: an unreachable server is one clear error, not a hang
    // and not a run that silently indexes nothing.
    try {
      await withTimeout(kv.get("flow-connection-check"), timeoutMs);
    } catch (e) {
      void index.close().catch(() => undefined);
      throw new FlowError("cache-unreachable", `cache index ${shown}: ${redactText(url, (e as Error).message || String(e))}`);
    }
    return index;
  }

  get(key: string) {
    return this.kv.get(key) as Promise<IndexEntry | undefined>;
  }
  /** get() for planning: the file index answers "absent" from one listing, not a read per key. */
  lookup(key: string): Promise<IndexEntry | undefined> {
    if (this.store instanceof FsKeyvStore && !this.store.mayHave(`${NS}:${key}`)) return Promise.resolve(undefined);
    return this.get(key);
  }
  async set(key: string, entry: IndexEntry) {
    if (!(await this.kv.set(key, entry))) throw new Error(`the cache index did not store ${key.slice(0, 12)}`);
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

/** How long opening a server index may take (FLOW_CACHE_TIMEOUT_MS, default 5 s). */
function connectTimeoutMs(): number {
  const v = Number(process.env.FLOW_CACHE_TIMEOUT_MS);
  return Number.isFinite(v) && v > 0 ? v : 5000;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error(`no answer within ${ms / 1000} s`)), ms); });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** A URL as it may be shown: credentials replaced by *** (redis://***@host:6379). */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1***@");
}

/** A message with every occurrence of the URL's credentials replaced by ***. */
export function redactText(url: string, text: string): string {
  let out = text.split(url).join(redactUrl(url));
  const cred = /^[a-z][a-z0-9+.-]*:\/\/([^/@]*)@/i.exec(url)?.[1];
  if (cred) {
    const pass = cred.includes(":") ? cred.slice(cred.indexOf(":") + 1) : cred;
    let decoded = pass;
    try { decoded = decodeURIComponent(pass); } catch { /* not %-encoded */ }
    for (const secret of [cred, pass, decoded]) if (secret.length >= 3) out = out.split(secret).join("***");
  }
  return out;
}
