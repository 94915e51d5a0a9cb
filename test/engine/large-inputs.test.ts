// Large input files (≥ 16 MB: an NWB session is 1–3 GB) are hashed by a run without
// blocking the head (StatCache.warm: asynchronous reads, one file at a time, the next
// nodes' inputs ahead). The hash must be the file's sha256 all the same, a changed file
// must be hashed again.
import { describe, it, expect } from "vitest";
import { createHash } from "node:crypto";
import { writeFileSync, readFileSync, rmSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { toyWorkspace, runJson, statusJson } from "../rig.js";
import { records } from "../../bench/lib.js";

const MB = 1 << 20;
/** 20 MB of bytes that differ with the seed */
function bytes(seed: number): Buffer {
  const b = Buffer.alloc(20 * MB);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < b.length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b.writeUInt32LE(x >>> 0, i);
  }
  return b;
}
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("large input files", () => {
  it("are recorded with their sha256; a changed or re-created one is hashed again", async () => {
    const ws = toyWorkspace({
      "tasks/size.ts": `import { statSync, writeFileSync } from "node:fs";
export default { run(ctx: any) { writeFileSync(ctx.outputs.out, String(statSync(ctx.inputs.src).size)); } };
`,
      "pipeline.yaml": `version: 1
sets:
  name: { glob: "big/{name}.bin" }
tasks:
  size:
    run: { module: tasks/size.ts }
    foreach: [name]
    inputs: { src: "big/\${name}.bin" }
    outputs: { out: "out/\${name}.size" }
`,
    });
    const files = { a: bytes(1), b: bytes(2), c: bytes(3) };
    mkdirSync(join(ws, "big"));
    for (const [n, b] of Object.entries(files)) writeFileSync(join(ws, `big/${n}.bin`), b);

    const first = await runJson(ws, "--jobs", "2");
    expect(first.code, first.stderr).toBe(0);
    expect(first.summary.ran.length).toBe(3);
    const hashOf = (name: string) =>
      records(ws)
        .filter((r) => r.node === `size[name=${name}]`)
        .at(-1)!.inputs[0]!.hash;
    for (const [n, b] of Object.entries(files)) expect(hashOf(n), n).toBe(sha256(b));
    expect(readFileSync(join(ws, "out/a.size"), "utf8")).toBe(String(20 * MB));

    // same size, new content: stale, and the new hash is the new content's
    const changed = bytes(4);
    writeFileSync(join(ws, "big/b.bin"), changed);
    const st = await statusJson(ws);
    expect(st.find((n) => n.id === "size[name=b]")!.reasons.join()).toMatch(/input file changed: big\/b\.bin/);
    const second = await runJson(ws);
    expect(second.summary.ran).toEqual(["size[name=b]"]);
    expect(hashOf("b")).toBe(sha256(changed));

    // deleted and written anew (a new inode): hashed again
    rmSync(join(ws, "big/c.bin"));
    writeFileSync(join(ws, "big/c.bin"), bytes(5));
    const third = await runJson(ws);
    expect(third.summary.ran).toEqual(["size[name=c]"]);
    expect(hashOf("c")).toBe(sha256(bytes(5)));
  });
});
