// The head hashes large inputs in two threads (engine/hash/hash-threads.ts). What they
// must do: give the file's sha256 (checked against node:crypto over the same bytes, for
// files hashed at the same time), fail plainly for a file that cannot be read, and keep
// working after a thread dies.
import { describe, it, expect } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import { writeFileSync, readFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { HashThreads } from "../../engine/hash/hash-threads.js";
import { tempDir } from "../rig.js";

const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

describe("hash threads", () => {
  it("hash five files at once, each to its own sha256", async () => {
    const dir = tempDir();
    const files = [0, 1, 5 << 20, 9 << 20, (4 << 20) + 3].map((size, i) => {
      const p = join(dir, `f${i}`);
      writeFileSync(p, randomBytes(size));
      return p;
    });
    const threads = new HashThreads(2);
    try {
      const got = await Promise.all(files.map((f) => threads.hash(f)));
      expect(got.map((g) => g.hash)).toEqual(files.map(sha));
      expect(got.map((g) => g.bytes)).toEqual(files.map((f) => readFileSync(f).length));
    } finally {
      await threads.close();
    }
  });

  it("a missing file or a folder fails with its path; the threads go on", async () => {
    const dir = tempDir();
    const threads = new HashThreads(2);
    try {
      await expect(threads.hash(join(dir, "absent.nwb"))).rejects.toThrow(/ENOENT.*absent\.nwb/);
      mkdirSync(join(dir, "folder"));
      await expect(threads.hash(join(dir, "folder"))).rejects.toThrow(/EISDIR/);
      const ok = join(dir, "ok");
      writeFileSync(ok, "content");
      expect((await threads.hash(ok)).hash).toBe(sha(ok));
    } finally {
      await threads.close();
    }
  });

  it("a thread ended mid-way fails what it held, what waited is dropped, and the next hash starts a new thread", async () => {
    const dir = tempDir();
    const big = join(dir, "big");
    writeFileSync(big, randomBytes(64 << 20));
    const threads = new HashThreads(1);
    const held = threads.hash(big);
    const queued = threads.hash(big); // waits for the one thread
    // (the expectations are attached first: both reject while close() runs)
    const heldFails = expect(held).rejects.toThrow(/hash thread exited/);
    const queuedDropped = expect(queued).rejects.toThrow(/hash threads closed/); // and no thread started for it
    await threads.close(); // terminates the thread while it reads
    await heldFails;
    await queuedDropped;
    try {
      expect((await threads.hash(big)).hash).toBe(sha(big));
    } finally {
      await threads.close();
    }
  });
});
