// `medians` takes the columns and durations of all sessions from their presentation
// summaries (written by `presentations`), not from every whole table. Checked here
// against the tables written from the whole tables (clean, then tables): the summaries' param
// names are the CSVs' param columns, their durations are 02_whole_movies.csv's durations
// in its row order, and median_durations.csv is numpy's median of those — computed here
// from the CSV alone, with none of the production cleaning code.
import { describe, it, expect, inject } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";

interface Summary {
  session: number;
  params: string[];
  whole_params: string[];
  durations: [string, number[]][];
}

const FIXED = 8; // session_id … stimulus_condition_id
const header = (text: string) => text.slice(0, text.indexOf("\n")).split(",");

/** name and duration of every row (columns 3 and 7; the cells before them hold no commas) */
function durationsByName(csvText: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const line of csvText.trim().split("\n").slice(1)) {
    const c = line.split(",");
    const name = c[2]!;
    if (!out.has(name)) out.set(name, []);
    out.get(name)!.push(Number(c[6]));
  }
  return out;
}

function numpyMedian(xs: number[]): number {
  const s = Float64Array.from(xs).sort();
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

describe("the presentation summaries the medians are taken from", () => {
  it("name the CSVs' param columns, hold 02_whole_movies' durations in order, and give its medians", () => {
    const data = join(inject("exampleWorkspace"), "data");
    const original = readFileSync(join(data, "presentations/01_original.csv"), "utf8");
    const whole = readFileSync(join(data, "presentations/02_whole_movies.csv"), "utf8");
    const sessions = [
      ...new Set(
        whole
          .trim()
          .split("\n")
          .slice(1)
          .map((l) => Number(l.slice(0, l.indexOf(",")))),
      ),
    ];
    expect(sessions.length).toBe(4);
    const summaries = sessions.map(
      (s) => JSON.parse(readFileSync(join(data, `01_sessions/session_${s}/presentation_summary.json`), "utf8")) as Summary,
    );
    expect(summaries.map((s) => s.session)).toEqual(sessions);

    const union = (k: "params" | "whole_params") => [...new Set(summaries.flatMap((s) => s[k]))].sort();
    expect(union("params")).toEqual(header(original).slice(FIXED));
    expect(union("whole_params")).toEqual(header(whole).slice(FIXED));

    const fromSummaries = new Map<string, number[]>();
    for (const s of summaries) for (const [name, ds] of s.durations) fromSummaries.set(name, [...(fromSummaries.get(name) ?? []), ...ds]);
    const fromCsv = durationsByName(whole);
    expect([...fromSummaries.keys()]).toEqual([...fromCsv.keys()]);
    for (const [name, ds] of fromCsv) expect(fromSummaries.get(name), name).toEqual(ds);
    // a movie is one row per run of frames: far fewer rows than 01_original has frames
    expect(fromCsv.get("natural_movie_three")!.length).toBeLessThan(10);

    const medians = readFileSync(join(data, "presentations/median_durations.csv"), "utf8").trim().split("\n").slice(1);
    expect(medians.map((l) => l.split(",")[0])).toEqual([...fromCsv.keys()]);
    for (const l of medians) {
      const [name, m] = l.split(",");
      expect(Number(m), name).toBe(numpyMedian(fromCsv.get(name!)!));
    }

    // filtered_summary.csv (counted by `medians` from the summaries): before = the rows of
    // a name in 02_whole_movies, after = those within the default threshold of its median
    // (0.01 s for movies, 0.001 s for the rest), removed and percent from the two
    const summary = readFileSync(join(data, "presentations/filtered_summary.csv"), "utf8").trim().split("\n");
    expect(summary[0]).toBe("stimulus_name,before,after,removed,percent");
    expect(summary.slice(1).map((l) => l.split(",")[0])).toEqual([...fromCsv.keys()]);
    let removedSomewhere = 0;
    for (const l of summary.slice(1)) {
      const [name, before, after, removed, percent] = l.split(",");
      const ds = fromCsv.get(name!)!;
      const m = numpyMedian(ds);
      const want = ds.filter((d) => Math.abs(d - m) < (name!.startsWith("natural_movie") ? 0.01 : 0.001)).length;
      expect([Number(before), Number(after), Number(removed)], name).toEqual([ds.length, want, ds.length - want]);
      expect(Number(percent)).toBeCloseTo(((ds.length - want) / ds.length) * 100, 2);
      removedSomewhere += ds.length - want;
    }
    expect(removedSomewhere).toBeGreaterThan(0); // the example has dropped frames and late flashes
  });
});
