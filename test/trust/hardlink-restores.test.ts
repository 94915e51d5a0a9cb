// Restores are verified in every link mode. With --link hardlink the workspace file is the
// cache object itself: an output edited in place (root is not stopped by 0444) edits the
// object. The object's fingerprint — its stat when its bytes were last hashed — no longer
// holds, so the next restore hashes it, finds it corrupt, discards it and recomputes the
// node, in this workspace and in any other that shares the cache. And a task never writes
// into an object through its inputs: it reads a private copy.
import { describe, it, expect } from "vitest";
import { chmodSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { objects, read, runJson, statusJson, toyWorkspace } from "../rig.js";

const sha = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");

/** Edits a file in place as a careless user or program would (root ignores 0444; others need the chmod). */
function editInPlace(path: string, text: string, keepMtime = false) {
  const st = statSync(path);
  chmodSync(path, 0o644);
  writeFileSync(path, text);
  if (keepMtime) utimesSync(path, st.atime, st.mtime);
}

describe("hard-linked restores", () => {
  it("an output edited in place is recomputed, not linked again; another workspace on the same cache gets the right bytes", async () => {
    const ws = toyWorkspace();
    expect((await runJson(ws, "--link", "hardlink")).code).toBe(0);
    const good = read(ws, "out/a.up");
    // the workspace file is the object: an edit in place edits both
    editInPlace(join(ws, "out/a.up"), "EDITED\n", true);
    expect(objects(ws).some((o) => readFileSync(o, "utf8") === "EDITED\n")).toBe(true);
    expect((await statusJson(ws)).find((n) => n.id === "upper[name=a]")!.reasons).toEqual(["output modified: out/a.up"]);
    const r = await runJson(ws, "--link", "hardlink");
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("upper[name=a]: cache object corrupt (hash mismatch): out/a.up; discarded, recomputing");
    expect(r.summary.ran).toEqual(["upper[name=a]"]);
    expect(read(ws, "out/a.up")).toBe(good);
    for (const o of objects(ws)) expect(sha(o)).toBe(o.split("/").pop()); // every object holds its name's bytes
    // the edit again, then a second workspace on the same cache: it never gets the edited bytes
    editInPlace(join(ws, "out/a.up"), "EDITED AGAIN\n");
    const other = toyWorkspace();
    const o = await runJson(other, "--link", "hardlink", "--cache-dir", join(ws, "cache"));
    expect(o.code).toBe(0);
    expect(o.summary.ran).toContain("upper[name=a]");
    expect(read(other, "out/a.up")).toBe(good);
  });

  it("with copies too: an object changed since it was stored is hashed again before it is copied", async () => {
    const ws = toyWorkspace();
    await runJson(ws);
    const good = read(ws, "out/a.up");
    const obj = objects(ws).find((o) => readFileSync(o, "utf8") === good)!;
    editInPlace(obj, good.replace("A", "Z"), true); // same size, same mtime: the ctime and a re-hash tell
    writeFileSync(join(ws, "out/a.up"), "gone");
    const r = await runJson(ws);
    expect(r.summary.ran).toEqual(["upper[name=a]"]);
    expect(read(ws, "out/a.up")).toBe(good);
  });

  it("a task that writes into its input (as h5py.File(p, 'a') does) writes into a private copy, never the object", async () => {
    const ws = toyWorkspace({
      "pipeline.yaml": `version: 1
sets:
  name: { glob: "in/{name}.txt" }
tasks:
  upper:
    run: { argv: [/bin/sh, -c, 'tr a-z A-Z < "$1" > "$0"', "\${out.o}", "\${in.src}"] }
    foreach: [name]
    inputs: { src: "in/\${name}.txt" }
    outputs: { o: "out/\${name}.up" }
  appender:
    run: { argv: [/bin/sh, -c, 'echo appended >> "$1"; chmod u+w "$1" 2>/dev/null; echo appended >> "$1"; cat "$1" > "$0"', "\${out.o}", "\${in.src}"] }
    inputs: { src: out/a.up }
    outputs: { o: out/appended.txt }
`,
    });
    const first = await runJson(ws, "--link", "hardlink");
    expect(first.code, first.stderr).toBe(0);
    const upstream = read(ws, "out/a.up");
    expect(upstream).toBe("ALPHA\n");
    for (const o of objects(ws)) expect(sha(o)).toBe(o.split("/").pop());
    // again: the upstream object did not grow, the upstream node is up to date
    const again = await runJson(ws, "--link", "hardlink");
    expect(again.summary.upToDate).toContain("upper[name=a]");
    expect(read(ws, "out/a.up")).toBe("ALPHA\n");
  });
});
