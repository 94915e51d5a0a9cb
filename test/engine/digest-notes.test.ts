// A digest noted by the program that wrote a file (engine/hash/digest-notes.ts; `flow
// fetch` notes the sha256 of the bytes it streamed and verified) stands in for reading the
// file — but only while the file's stat is the one noted. To see which hash is taken, a
// note here carries a digest that is not the file's: the stat cache must return it
// without reading a byte, and must read the file again once it is touched, rewritten,
// replaced or the note is malformed.
import { describe, it, expect } from "vitest";
import { createHash } from "node:crypto";
import { writeFileSync, readFileSync, renameSync, utimesSync, appendFileSync, rmSync, statSync, existsSync } from "node:fs";
import { join } from "node:path";
import { StatCache } from "../../engine/hash/stat-cache.js";
import { hashCounter } from "../../engine/hash/sha256.js";
import { HashThreads } from "../../engine/hash/hash-threads.js";
import { noteDigest, DIGEST_NOTES } from "../../engine/hash/digest-notes.js";
import { tempDir } from "../rig.js";

const sha = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");
const NOTED = "ab".repeat(32);

function setup() {
  const dir = tempDir();
  const file = join(dir, "session.nwb");
  writeFileSync(file, Buffer.alloc(17 << 20, 7)); // large enough for warm()
  noteDigest(file, NOTED);
  return { dir, file, cache: () => new StatCache(join(dir, "stat-cache.json"), new HashThreads(1)) };
}

describe("digest notes", () => {
  it("a note that matches the stat is taken without reading the file, by hash(), peek() and warm()", async () => {
    const { file, cache } = setup();
    const before = hashCounter.bytes;
    expect(cache().hash(file)).toBe(NOTED);
    expect(cache().peek(file)).toBe(NOTED);
    const c = cache();
    expect(c.warm(file)).toBeUndefined(); // nothing to hash
    expect(c.hash(file)).toBe(NOTED);
    expect(hashCounter.bytes).toBe(before);
  });

  it("a touched, rewritten or replaced file is read again; the last note for a name wins", async () => {
    const { dir, file, cache } = setup();
    utimesSync(file, new Date(), new Date(Date.now() + 3000));
    expect(cache().hash(file)).toBe(sha(file));

    noteDigest(file, NOTED); // noted again for the new stat
    expect(cache().hash(file)).toBe(NOTED);
    writeFileSync(file, Buffer.alloc(17 << 20, 8)); // same size, other bytes
    expect(cache().hash(file)).toBe(sha(file));

    noteDigest(file, NOTED);
    const other = join(dir, "other");
    writeFileSync(other, Buffer.alloc(17 << 20, 8)); // same bytes, another inode, moved in
    renameSync(other, file);
    expect(cache().peek(file)).toBeUndefined();
    expect(cache().hash(file)).toBe(sha(file));
  });

  it("a malformed or torn notes file is no note; a removed one neither", () => {
    const { dir, file, cache } = setup();
    writeFileSync(join(dir, DIGEST_NOTES), '{"name":"session.nwb","sha256":"not hex"}\n{"name":"session.nwb",');
    expect(cache().hash(file)).toBe(sha(file));
    noteDigest(file, NOTED);
    appendFileSync(join(dir, DIGEST_NOTES), '{"torn');
    expect(cache().hash(file)).toBe(NOTED); // the whole line before the torn one still counts
    rmSync(join(dir, DIGEST_NOTES));
    expect(cache().hash(file)).toBe(sha(file));
    expect(() => noteDigest(file, "xyz")).toThrow(/not a sha256/);
  });

  it("nothing is noted when the file changed since the bytes were hashed", () => {
    const dir = tempDir();
    const file = join(dir, "f.nwb");
    writeFileSync(file, "first");
    const hashedAs = statSync(file);
    writeFileSync(join(dir, "g"), "other bytes");
    renameSync(join(dir, "g"), file); // another file took the name meanwhile
    expect(noteDigest(file, NOTED, hashedAs)).toBe(false);
    expect(existsSync(join(dir, DIGEST_NOTES))).toBe(false);
    const now = statSync(file);
    expect(noteDigest(file, NOTED, now)).toBe(true);
  });
});
