// The clean-up writes its tables row by row and spools the filtered rows (58 sessions
// are more rows than one string can hold): the streamed bytes must equal the one-string
// writer's, across buffer flushes, and the spool must give back every value exactly,
// also where a multi-byte character straddles two read chunks.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CsvWriter, toCsv, type Cell } from "../../tasks/formats/pyfmt.js";
import { JsonLines, readJson, writeJson, decodeText } from "../../tasks/formats/json.js";
import { tempDir } from "../rig.js";

describe("streamed tables", () => {
  it("CsvWriter writes the bytes toCsv gives, over many flushes", () => {
    const cols = ["session_id", "name", "start_time", "value"];
    const rows: Cell[][] = [];
    for (let i = 0; i < 60_000; i++) rows.push([715093703 + (i % 7), i % 5 ? `stim, "${i}"` : "null", i / 3, i % 11 ? i * 0.1 : null]);
    const dir = tempDir();
    const w = new CsvWriter(join(dir, "t.csv"), cols, new Set(["session_id"]));
    for (const r of rows) w.row(r);
    w.close();
    const streamed = readFileSync(join(dir, "t.csv"), "utf8");
    expect(streamed.length).toBeGreaterThan(2 << 20); // more than one flush
    expect(streamed).toBe(toCsv(cols, rows, new Set(["session_id"])));
  });

  it("JsonLines gives back every value in order, a character split across chunks included", () => {
    const dir = tempDir();
    const spool = new JsonLines<{ i: number; s: string; x: number | null }>(join(dir, "s.jsonl"));
    const values = Array.from({ length: 20_000 }, (_, i) => ({ i, s: `ünïcødé ✓ ${"é".repeat(i % 40)}`, x: i % 3 ? i / 7 : null }));
    // the first line puts the two bytes of an "é" on both sides of the first 4 MB read:
    // '{"i":-1,"s":"' is 13 bytes
    values.unshift({ i: -1, s: "a".repeat((4 << 20) - 1 - 13) + "é", x: 0 });
    expect(
      Buffer.from(JSON.stringify(values[0]))
        .subarray((4 << 20) - 1, (4 << 20) + 1)
        .toString(),
    ).toBe("é");
    for (const v of values) spool.push(v);
    const back: typeof values = [];
    spool.drain((v) => back.push(v));
    expect(readFileSync(join(dir, "s.jsonl")).length).toBeGreaterThan(4 << 20); // more than one read chunk
    expect(back).toEqual(values);
  });

  it("ASCII is read the fast way, anything else as UTF-8: an ASCII chunk, then chunks that are not; whole files", () => {
    const dir = tempDir();
    const spool = new JsonLines<{ s: string }>(join(dir, "a.jsonl"));
    // the first 4 MB read is exactly the first line, all ASCII; the next ones are not
    const first = { s: "a".repeat((4 << 20) - 1 - 8) }; // '{"s":"' + '"}' + newline = 9 bytes
    const values = [first, { s: "€uro ünï" }, { s: "plain" }, { s: "✓".repeat(1000) }];
    expect(Buffer.from(JSON.stringify(first) + "\n").length).toBe((4 << 20) - 1 + 1);
    for (const v of values) spool.push(v);
    const back: typeof values = [];
    spool.drain((v) => back.push(v));
    expect(back).toEqual(values);

    writeJson(join(dir, "u.json"), { name: "Gabor ✓ µm", n: [1, 2] });
    expect(readJson(join(dir, "u.json"))).toEqual({ name: "Gabor ✓ µm", n: [1, 2] });
    expect(decodeText(Buffer.from("ascii only"))).toBe("ascii only");
    expect(decodeText(Buffer.from("é"))).toBe("é"); // latin1 would give two characters
  });
});
