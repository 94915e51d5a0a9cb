// Sets read from a CSV table column (`sets: { table, column, where }`), with a glob used
// only when the table file does not exist.
import { describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { flow, statusJson, tempDir, write } from "../rig.js";

function workspace() {
  const dir = tempDir();
  write(dir, {
    "in/index.csv": 'id,kind,note\n3,a,"x, y"\n10,b,plain\n7,a,"say ""hi"""\n',
    "in/s_3.txt": "3",
    "in/s_10.txt": "10",
    "in/s_7.txt": "7",
    "pipeline.yaml": `version: 1
params:
  ids: { default: [], type: array, items: { type: integer } }
  kinds: { default: [], type: array, items: { type: string } }
sets:
  s:
    table: in/index.csv
    column: id
    where: { id: ids, kind: kinds }
    glob: "in/s_{s}.txt"
tasks:
  copy:
    run: { argv: [cp, "\${in.src}", "\${out.o}"] }
    foreach: [s]
    inputs: { src: "in/s_\${s}.txt" }
    outputs: { o: "out/\${s}.txt" }
`,
  });
  return dir;
}

const members = async (dir: string, ...args: string[]) => (await statusJson(dir, ...args)).map((n) => n.id);

describe("a set read from a table", () => {
  it("lists the column's values in natural order, filtered by list params (empty keeps all)", async () => {
    const dir = workspace();
    expect(await members(dir)).toEqual(["copy[s=3]", "copy[s=7]", "copy[s=10]"]);
    expect(await members(dir, "--set", "kinds=[a]")).toEqual(["copy[s=3]", "copy[s=7]"]);
    expect(await members(dir, "--set", "ids=[10,7]", "--set", "kinds=[a]")).toEqual(["copy[s=7]"]);
  });

  it("a value that is not in the table is an error, not a smaller set", async () => {
    const dir = workspace();
    const r = await flow(dir, "status", "--set", "ids=[3,4]");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--set ids: "4" is not in column 'id' of ${join(dir, "in/index.csv")} (pipeline.yaml:6 (sets.s))`);
    const k = await flow(dir, "status", "--set", "kinds=[c]");
    expect(k.code).toBe(2);
    expect(k.stderr).toContain(`--set kinds: "c" is not in column 'kind'`);
  });

  it("a listed member whose file is missing is named by status and fails the run", async () => {
    const dir = workspace();
    rmSync(join(dir, "in/s_7.txt"));
    const st = await statusJson(dir);
    expect(st.find((n) => n.id === "copy[s=7]")!.reasons.join(" ")).toMatch(/input file missing: in\/s_7.txt/);
    const r = await flow(dir, "run");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("s_7.txt");
  });

  it("without the table, the glob gives the members; only the set's own column can filter them", async () => {
    const dir = workspace();
    rmSync(join(dir, "in/index.csv"));
    expect(await members(dir)).toEqual(["copy[s=3]", "copy[s=7]", "copy[s=10]"]);
    expect(await members(dir, "--set", "ids=[3]")).toEqual(["copy[s=3]"]);
    const miss = await flow(dir, "status", "--set", "ids=[4]");
    expect(miss.code).toBe(2);
    expect(miss.stderr).toContain('--set ids: "4" not found: no file matches');
    const r = await flow(dir, "status", "--set", "kinds=[a]");
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`--set kinds needs the table ${join(dir, "in/index.csv")}, which does not exist`);
  });
});
