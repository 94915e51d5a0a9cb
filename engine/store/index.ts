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

  static async open(dir: string, url?: string): Promise<ActionIndex> {
    if (!url) {
      const store = new FsKeyvStore(dir);
      return new ActionIndex(new Keyv<IndexEntry>({ store, namespace: NS }), store);
    }
    const scheme = url.split(":")[0];
    const adapters: Record<string, string> = { redis: "@keyv/redis", rediss: "@keyv/redis", postgresql: "@keyv/postgres", postgres: "@keyv/postgres" };
    const pkg = adapters[scheme ?? ""];
    if (!pkg) throw new FlowError("usage", `--cache-url ${url}: unsupported scheme '${scheme}' (redis://, postgresql://)`);
    let mod: { default: new (url: string) => unknown };
    try {
      mod = await import(pkg);
    } catch {
      throw new FlowError("usage", `--cache-url ${url}: the keyv adapter ${pkg} is not installed`);
    }
    const store = new mod.default(url);
    return new ActionIndex(new Keyv<IndexEntry>({ store: store as never, namespace: NS }), store);
  }

  get(key: string) {
    return this.kv.get(key) as Promise<IndexEntry | undefined>;
  }
  async set(key: string, entry: IndexEntry) {
    await this.kv.set(key, entry);
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
