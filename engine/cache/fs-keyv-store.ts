// A keyv storage adapter backed by one small file per key (written atomically), the
// default index when no --cache-url is given. It needs no native module and is safe for
// several processes: a reader sees a whole entry or none. (@keyv/sqlite would need the
// sqlite3 native build, which this project's machines cannot download prebuilt.)
import { EventEmitter } from "node:events";
import { readFileSync, unlinkSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { writeFileAtomic } from "../host/temp.js";

export class FsKeyvStore extends EventEmitter {
  readonly namespace?: string;
  readonly opts: { dialect: string; url: string };

  constructor(readonly dir: string) {
    super();
    this.opts = { dialect: "fs", url: `file://${dir}` };
  }

  private file(key: string) {
    // Keys are namespaced by keyv ("flow:…"): hash them to a safe, fixed-length name.
    const h = createHash("sha256").update(key).digest("hex");
    return join(this.dir, h.slice(0, 2), `${h}.json`);
  }

  /** Entry files present when first asked (256 directory reads), plus what this process wrote. */
  private listing?: Set<string>;

  /**
   * False when the key certainly has no entry as of the first call: planning 10⁵ new
   * nodes then costs no failed file read per node. A key another process writes later
   * reads as absent here (the node is recomputed, never wrong); get() always reads.
   */
  mayHave(key: string): boolean {
    if (!this.listing) {
      this.listing = new Set();
      let shards: string[] = [];
      try {
        shards = readdirSync(this.dir);
      } catch {
        /* no index yet */
      }
      for (const sh of shards) {
        try {
          for (const f of readdirSync(join(this.dir, sh))) this.listing.add(join(this.dir, sh, f));
        } catch {
          /* not a shard */
        }
      }
    }
    return this.listing.has(this.file(key));
  }

  async get(key: string): Promise<string | undefined> {
    try {
      const { key: k, value } = JSON.parse(readFileSync(this.file(key), "utf8"));
      return k === key ? value : undefined;
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: string) {
    const f = this.file(key);
    writeFileAtomic(f, JSON.stringify({ key, value }));
    this.listing?.add(f);
    return true;
  }

  async delete(key: string) {
    try {
      unlinkSync(this.file(key));
      return true;
    } catch {
      return false;
    }
  }

  async clear() {
    rmSync(this.dir, { recursive: true, force: true });
  }

  async has(key: string) {
    return (await this.get(key)) !== undefined;
  }

  async *iterator(namespace?: string): AsyncGenerator<[string, string]> {
    let shards: string[];
    try {
      shards = readdirSync(this.dir);
    } catch {
      return;
    }
    for (const s of shards.sort()) {
      let files: string[];
      try {
        files = readdirSync(join(this.dir, s));
      } catch {
        continue;
      }
      for (const f of files.sort()) {
        if (!f.endsWith(".json")) continue;
        try {
          const { key, value } = JSON.parse(readFileSync(join(this.dir, s, f), "utf8"));
          if (!namespace || key.startsWith(`${namespace}:`)) yield [key, value];
        } catch {
          // a torn or foreign file: not an entry
        }
      }
    }
  }
}
