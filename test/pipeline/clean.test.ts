// Whole-movie merge, median filter and blank removal on hand-made tables.
import { describe, it, expect } from "vitest";
import { mergeWholeMovies, median, medianFilter, removeBlanks, type Row } from "../../tasks/science/cleaning.js";

let nextId = 0;
function row(session: number, name: string, start: number, stop: number, params: Row["params"] = {}, block = 0): Row {
  return {
    session,
    stimulus_presentation_id: nextId++,
    stimulus_name: name,
    stimulus_block: block,
    start_time: start,
    stop_time: stop,
    duration: stop - start,
    stimulus_condition_id: 0,
    params,
  };
}

describe("whole-movie merge", () => {
  it("merges runs of frames; a decreasing frame number starts a new movie; duration is the sum of frame durations", () => {
    nextId = 100;
    const frames = (session: number, t0: number, nums: number[], dur = 1) =>
      nums.map((f, i) => row(session, "natural_movie_one", t0 + i * dur, t0 + (i + 1) * dur, { frame: f }));
    const rows = [
      row(1, "flashes", 0, 0.25, { color: 1 }),
      ...frames(1, 10, [0, 1, 2, 3]),
      ...frames(1, 14, [0, 1, 3]), // frame 2 dropped: 3 frames, duration 3, spans 14..17
      ...frames(2, 10, [0, 1, 2, 3]),
    ];
    const out = mergeWholeMovies(rows);
    expect(out.map((r) => [r.session, r.stimulus_name, r.stimulus_presentation_id, r.params.frame, r.start_time, r.stop_time, r.duration])).toEqual([
      [1, "flashes", 100, undefined, 0, 0.25, 0.25],
      [1, "natural_movie_one", 101, 0, 10, 14, 4],
      [1, "natural_movie_one", 105, 0, 14, 17, 3],
      [2, "natural_movie_one", 108, 0, 10, 14, 4],
    ]);
  });

  it("a movie whose first frames are missing keeps the first frame's number", () => {
    const rows = [0, 1, 2, 5, 6].map((f, i) => row(1, "natural_movie_three", i, i + 1, { frame: f }));
    rows.splice(3, 0); // 0,1,2 then 5,6: increasing, one movie
    const out = mergeWholeMovies([...rows, row(1, "natural_movie_three", 10, 11, { frame: 4 }), row(1, "natural_movie_three", 11, 12, { frame: 5 })]);
    expect(out.map((r) => [r.params.frame, r.duration])).toEqual([
      [0, 5],
      [4, 2],
    ]);
  });
});

describe("median filter", () => {
  it("is numpy's median", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([5])).toBe(5);
  });

  it("keeps |d − median| < threshold, per stimulus over all sessions, and summarises", () => {
    const rows = [
      ...[0.25, 0.25, 0.25, 0.2509, 0.2511].map((d, i) => row(i % 2, "gabors", i, i + d)),
      ...[30, 30, 30.0099, 30.0101, 29.98].map((d, i) => row(i % 2, "natural_movie_one", 100 + i * 40, 100 + i * 40 + d)),
    ];
    const r = medianFilter(rows, 0.01, 0.001);
    expect(r.medians.get("gabors")).toBeCloseTo(0.25, 12);
    expect(r.medians.get("natural_movie_one")).toBeCloseTo(30, 9);
    expect(r.kept.filter((x) => x.stimulus_name === "gabors").map((x) => +x.duration.toFixed(4))).toEqual([0.25, 0.25, 0.25, 0.2509]);
    expect(r.kept.filter((x) => x.stimulus_name === "natural_movie_one").map((x) => +x.duration.toFixed(4))).toEqual([30, 30, 30.0099]);
    expect(r.summary).toEqual([
      { stimulus_name: "gabors", before: 5, after: 4, removed: 1, percent: 20 },
      { stimulus_name: "natural_movie_one", before: 5, after: 3, removed: 2, percent: 40 },
    ]);
  });

  it("a median that is the mean of the middle two decides for both neighbours", () => {
    // binary-exact values: median 1.00390625, every |d − median| = 2^-8 exactly
    const rows = [1, 1, 1.0078125, 1.0078125].map((d) => row(0, "dot_motion", 0, d));
    expect(medianFilter(rows, 0.01, 0.00390625).kept.length).toBe(0); // not < threshold
    expect(medianFilter(rows, 0.01, 0.0039063).kept.length).toBe(4);
  });
});

describe("blank removal", () => {
  const relevant = (n: string) =>
    (
      ({
        drifting_gratings: ["temporal_frequency", "orientation"],
        static_gratings: ["phase", "spatial_frequency", "orientation"],
        natural_scenes: ["frame"],
        dot_motion: ["Speed", "Dir"],
      }) as Record<string, string[]>
    )[n];
  it("drops presentations with a missing relevant parameter, and natural_scenes frame −1", () => {
    const rows = [
      row(0, "drifting_gratings", 0, 2, { temporal_frequency: 2, orientation: 90 }),
      row(0, "drifting_gratings", 3, 5, { temporal_frequency: null, orientation: null }),
      row(0, "static_gratings", 6, 6.25, { phase: "0.25", spatial_frequency: "0.04", orientation: 30 }),
      row(0, "static_gratings", 7, 7.25, { phase: "", spatial_frequency: "N/A", orientation: NaN }),
      row(0, "natural_scenes", 8, 8.25, { frame: -1 }),
      row(0, "natural_scenes", 9, 9.25, { frame: 0 }),
      row(0, "dot_motion", 10, 11, { Speed: 0, Dir: null }),
      row(0, "dot_motion", 12, 13, { Speed: 0, Dir: 45 }),
      row(0, "flashes", 14, 14.25, { color: -1 }),
    ];
    expect(removeBlanks(rows, relevant).map((r) => r.start_time)).toEqual([0, 6, 9, 12, 14]);
  });
});
