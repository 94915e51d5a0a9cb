// The block timeline of a session: real order and counts (docs/allen-nwb-layout.md §6.3) at the `full` scale,
// the same order with short blocks at the `example` scale. Spontaneous rows fill gaps.
import { Rng } from "./rng.js";
import { generators, movie, FRAME_MOVIE_ONE, FRAME_MOVIE_THREE, type StimRow, type BlockCtx } from "./stimuli.js";

export type SessionType = "brain_observatory_1.1" | "functional_connectivity";
export type Scale = "example" | "full";

type Block =
  | { kind: "gen"; name: string; n: number }
  | { kind: "movie"; name: string; repeats: number; frames: number; dur: number; shuffled?: boolean }
  | { kind: "gap"; seconds: number };

function boBlocks(scale: Scale, withContrast: boolean): Block[] {
  const full = scale === "full";
  const b: Block[] = [
    { kind: "gap", seconds: full ? 60 : 5 },
    { kind: "gen", name: "gabors", n: full ? 15 : 1 },
    { kind: "gap", seconds: full ? 289 : 5 },
    { kind: "gen", name: "flashes", n: full ? 150 : 12 },
    { kind: "gen", name: "drifting_gratings", n: full ? 5 : 1 },
    { kind: "movie", name: "natural_movie_three", repeats: full ? 5 : 1, frames: 3600, dur: FRAME_MOVIE_THREE },
    { kind: "movie", name: "natural_movie_one", repeats: full ? 10 : 2, frames: 900, dur: FRAME_MOVIE_ONE },
  ];
  if (full) {
    b.push(
      { kind: "gen", name: "drifting_gratings", n: 5 },
      { kind: "gap", seconds: 301 },
      { kind: "movie", name: "natural_movie_three", repeats: 5, frames: 3600, dur: FRAME_MOVIE_THREE },
      { kind: "gen", name: "drifting_gratings", n: 5 },
    );
  } else {
    b.push({ kind: "movie", name: "natural_movie_three", repeats: 1, frames: 3600, dur: FRAME_MOVIE_THREE });
  }
  b.push({ kind: "gen", name: "static_gratings", n: full ? 17 : 1 }, { kind: "gen", name: "natural_scenes", n: full ? 17 : 1 });
  if (full) {
    b.push(
      { kind: "gap", seconds: 300 },
      { kind: "gen", name: "natural_scenes", n: 17 },
      { kind: "gen", name: "static_gratings", n: 16 },
      { kind: "movie", name: "natural_movie_one", repeats: 10, frames: 900, dur: FRAME_MOVIE_ONE },
      { kind: "gen", name: "natural_scenes", n: 16 },
      { kind: "gen", name: "static_gratings", n: 17 },
    );
  }
  if (withContrast) b.push({ kind: "gen", name: "drifting_gratings_contrast", n: full ? 15 : 1 });
  b.push({ kind: "gap", seconds: full ? 400 : 10 });
  return b;
}

function fcBlocks(scale: Scale): Block[] {
  const full = scale === "full";
  return [
    { kind: "gap", seconds: full ? 60 : 5 },
    { kind: "gen", name: "gabors", n: full ? 15 : 1 },
    { kind: "gen", name: "flashes", n: full ? 150 : 12 },
    { kind: "gen", name: "drifting_gratings_contrast", n: full ? 15 : 1 },
    { kind: "movie", name: "natural_movie_one_more_repeats", repeats: full ? 30 : 2, frames: 900, dur: FRAME_MOVIE_ONE },
    { kind: "movie", name: "natural_movie_one_shuffled", repeats: full ? 10 : 1, frames: 900, dur: FRAME_MOVIE_ONE, shuffled: true },
    { kind: "gen", name: "drifting_gratings_75_repeats", n: full ? 38 : 1 },
    { kind: "gap", seconds: full ? 1800 : 40 },
    { kind: "gen", name: "drifting_gratings_75_repeats", n: full ? 37 : 1 },
    { kind: "movie", name: "natural_movie_one_shuffled", repeats: full ? 10 : 1, frames: 900, dur: FRAME_MOVIE_ONE, shuffled: true },
    { kind: "movie", name: "natural_movie_one_more_repeats", repeats: full ? 30 : 2, frames: 900, dur: FRAME_MOVIE_ONE },
    { kind: "gen", name: "dot_motion", n: full ? 15 : 1 },
    { kind: "gap", seconds: full ? 400 : 10 },
  ];
}

/** The script order of stimuli (stimulus_index): fixed per session type. */
function stimulusIndex(type: SessionType): Map<string, number> {
  const names =
    type === "brain_observatory_1.1"
      ? [
          "gabors",
          "flashes",
          "drifting_gratings",
          "natural_movie_three",
          "natural_movie_one",
          "static_gratings",
          "natural_scenes",
          "drifting_gratings_contrast",
        ]
      : [
          "gabors",
          "flashes",
          "drifting_gratings_contrast",
          "natural_movie_one_more_repeats",
          "natural_movie_one_shuffled",
          "drifting_gratings_75_repeats",
          "dot_motion",
        ];
  return new Map(names.map((n, i) => [n, i]));
}

export function buildTimeline(rng: Rng, type: SessionType, scale: Scale, withContrast: boolean): { rows: StimRow[]; end: number } {
  const blocks = type === "brain_observatory_1.1" ? boBlocks(scale, withContrast) : fcBlocks(scale);
  const index = stimulusIndex(type);
  const rows: StimRow[] = [];
  let t = 20 + rng.next() * 10; // first stimulus row ≈ 20–30 s
  let block = 0;
  let gapStart: number | undefined = t;
  const closeGap = (until: number) => {
    if (gapStart !== undefined && until - gapStart > 0.5) {
      rows.push({ stimulus_name: "spontaneous", start: gapStart, stop: until, params: {} });
    }
    gapStart = undefined;
  };
  for (const b of blocks) {
    if (b.kind === "gap") {
      gapStart ??= t;
      t += b.seconds;
      continue;
    }
    closeGap(t);
    const c: BlockCtx = { rng, t, block, index: index.get(b.name)! };
    const r = b.kind === "gen" ? generators[b.name]!(c, b.n) : movie(b.name, c, b.repeats, b.frames, b.dur, b.shuffled);
    rows.push(...r.rows);
    gapStart = r.end;
    t = r.end + (scale === "full" ? 30 : 1); // blocks are ≈ 30 s apart in real sessions
    block++;
  }
  closeGap(t);
  rows.sort((a, b) => a.start - b.start);
  return { rows, end: t };
}
