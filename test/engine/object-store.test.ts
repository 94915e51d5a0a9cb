// The object store's restore after a run: the object this process just stored is
// copied without a second hash; every other restore re-hashes and refuses a corrupt one.
import { describe, it, expect } from "vitest";
import { createHash } from "node:crypto";
import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ObjectStore } from "../../engine/store/objects.js";
import { tempDir } from "../rig.js";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("object store restores", () => {
  it("a just-stored object is copied unhashed once; later restores and other stores verify, and refuse a corrupt object", () => {
    const dir = tempDir();
    const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251));
    const h = sha(bytes);
    writeFileSync(join(dir, "out.bin"), bytes);
    const store = new ObjectStore(join(dir, "objects"));
    store.put(join(dir, "out.bin"), h);
    expect(statSync(store.path(h)).mode & 0o777).toBe(0o444);

    // the restore right after the run: same bytes, a writable file of its own
    expect(store.restore(h, join(dir, "ws", "a.bin"))).toBe(true);
    expect(store.restores).toEqual({ verified: 0, fresh: 1 });
    expect(sha(readFileSync(join(dir, "ws", "a.bin")))).toBe(h);
    expect(statSync(join(dir, "ws", "a.bin")).mode & 0o777).toBe(0o644);
    expect(statSync(join(dir, "ws", "a.bin")).ino).not.toBe(statSync(store.path(h)).ino);

    // used once: the next restore of the same object is verified
    expect(store.restore(h, join(dir, "ws", "b.bin"))).toBe(true);
    expect(store.restores).toEqual({ verified: 1, fresh: 1 });

    // another run (a new store on the same folder) trusts nothing: a corrupt object is
    // refused and deleted, the destination left as it was
    chmodSync(store.path(h), 0o644);
    const bad = Buffer.from(bytes);
    bad.writeUInt8(bad.readUInt8(1000) ^ 1, 1000);
    writeFileSync(store.path(h), bad);
    const later = new ObjectStore(join(dir, "objects"));
    expect(later.restore(h, join(dir, "ws", "a.bin"))).toBe(false);
    expect(later.restores).toEqual({ verified: 1, fresh: 0 });
    expect(later.has(h)).toBe(false);
    expect(sha(readFileSync(join(dir, "ws", "a.bin")))).toBe(h);
  });
});
