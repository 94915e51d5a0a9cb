// The output contract (docs/design.md §4.1): one HDF5 file per stimulus type, readable by
// xarray (h5netcdf and netcdf4 engines). Every group is a self-contained netCDF group:
// its coordinates are dimension scales, attached by absolute path to every variable.
// Writes happen with a frozen clock so the same inputs give the same bytes. What each
// file, group and variable says about itself is in cf-attributes.ts.
import { h5, h5op, withFrozenClock, i64, setAttrs, type H5Group, type AttrValue } from "./h5.js";
import { readCube, readCubeHeader, unpack, type Cube, type CubeHeader } from "./cube.js";
import * as cf from "./cf-attributes.js";
import { basename } from "node:path";
import { TaskError } from "#flow/task";
import { isMovie } from "../science/cleaning.js";

export interface WriteOptions {
  stimulus: string;
  /** the params that shaped the file (recorded as root attributes); gzip_level its compression */
  params: cf.ShapingParams;
  /** keep only structures whose acronym matches (the natural-visual subset) */
  structures?: RegExp;
  flowVersion: string;
  nodeKey: string;
  /** bytes per spike_data chunk (whole presentations per chunk) */
  chunkBytes?: number;
}

const nan = (v: number | null) => (v === null ? NaN : v);

function coord(g: H5Group, name: string, data: BigInt64Array | Float64Array, attrs: Record<string, AttrValue> = cf.COORD_ATTRS[name] ?? {}) {
  h5op(`writing ${g.path}/${name}`, () => {
    const d = g.create_dataset({ name, data });
    setAttrs(d, attrs);
    d.make_scale(name);
  });
}

/** The name netCDF gives a dimension that has no coordinate variable (netCDF-C's NAME attribute of such a scale). */
const DIMENSION_ONLY = (n: number) => `This is a netCDF dimension but not a netCDF variable.${String(n).padStart(10)}`;

/** time (bin centres, with bounds) and time_bounds (time, nv): the bin edges relative to onset. */
function timeAxis(g: H5Group, h: CubeHeader, clipped: boolean, gzip: number) {
  coord(g, "time", Float64Array.from(h.time), cf.TIME_ATTRS);
  h5op(`writing ${g.path}/time_bounds${gzip ? ` (gzip level ${gzip})` : ""}`, () => {
    g.create_dataset({ name: "nv", data: new Float32Array(2) }).make_scale(DIMENSION_ONLY(2));
    const w = h.bin_width;
    const edges = new Float64Array(2 * h.n_bins);
    for (let k = 0; k < h.n_bins; k++) {
      edges[2 * k] = k * w;
      edges[2 * k + 1] = (k + 1) * w;
    }
    // compressed like the data (a 120 s movie's bounds are 96 kB a group, ~20 kB in gzip)
    const d = g.create_dataset({
      name: "time_bounds",
      data: edges,
      shape: [h.n_bins, 2],
      dtype: "<d",
      ...(gzip ? { chunks: [h.n_bins, 2], compression: "gzip" as const, compression_opts: gzip } : {}),
    });
    setAttrs(d, cf.timeBoundsAttrs(clipped));
    d.attach_scale(0, `${g.path}/time`);
    d.attach_scale(1, `${g.path}/nv`);
  });
}

function variable(
  g: H5Group,
  name: string,
  data: Uint8Array | Float32Array | Float64Array,
  dims: string[],
  shape: number[],
  opts: { dtype: string; chunks?: number[]; gzip?: number; attrs?: Record<string, AttrValue> },
) {
  h5op(`writing ${g.path}/${name}${opts.gzip ? ` (gzip level ${opts.gzip})` : ""}`, () => {
    const d = g.create_dataset({
      name,
      data,
      shape,
      dtype: opts.dtype,
      chunks: opts.chunks ?? null,
      ...(opts.gzip ? { compression: "gzip" as const, compression_opts: opts.gzip } : {}),
    });
    setAttrs(d, opts.attrs ?? {});
    dims.forEach((dim, i) => d.attach_scale(i, `${g.path}/${dim}`));
  });
}

/** Writes the stimulus file from the cubes of every session (in the given order). */
export async function writeStimulusFile(path: string, cubePaths: string[], o: WriteOptions): Promise<{ sessions: number; groups: number }> {
  const lib = await h5();
  let groups = 0,
    sessions = 0;
  // Headers first (small); then one session's cube at a time, so memory stays flat
  // however many sessions there are (58 full-size sessions would not fit at once).
  const all = cubePaths.map((p) => ({ p, header: readCubeHeader(p) }));
  const cubes = all.filter((c) => c.header.presentations.ids.length > 0);
  // No session of this cache shows the stimulus (e.g. dot_motion in brain_observatory_1.1
  // sessions): an empty file. Shown, but all filtered away: the thresholds are wrong.
  const shown = all.reduce((a, c) => a + c.header.presentations_before_filter, 0);
  if (cubes.length === 0 && shown > 0) {
    throw new TaskError(
      `stimulus ${o.stimulus}: none of its ${shown} presentations is left in any of the ${cubePaths.length} sessions after filtering ` +
        `(remove it from the 'stimuli' param, or check the duration thresholds)`,
    );
  }
  // An HDF5 error anywhere (h5op) is one line naming the file and the dataset.
  try {
    withFrozenClock(() => {
      const f = h5op(`creating ${path}`, () => new lib.File(path, "w"));
      try {
        h5op(`writing ${path}`, () => {
          setAttrs(
            f,
            fileAttributes(
              cubes.map((c) => c.header),
              o,
            ),
          );
          if (cubes.length === 0) f.create_attribute("note", `no session of this cache shows ${o.stimulus}`);
          for (const { p } of cubes) {
            const n = writeSession(f, readCube(p), o);
            if (n) {
              sessions++;
              groups += n;
            }
          }
        });
      } catch (e) {
        try {
          f.close();
        } catch {
          /* the first error is the one to report */
        }
        throw e;
      }
      // Data reaches the disk at close: a full disk or a failing filter shows up here.
      h5op(`writing ${path}`, () => f.close());
    });
  } catch (e) {
    if (e instanceof TaskError && !e.message.includes(path)) throw new TaskError(`${basename(path)}: ${e.message}`);
    throw e;
  }
  return { sessions, groups };
}

/** The root attributes; every cube must have been binned with the bin width the file records. */
function fileAttributes(headers: CubeHeader[], o: WriteOptions): Record<string, AttrValue> {
  for (const h of headers) {
    if (h.bin_width !== o.params.bin_width) {
      throw new TaskError(
        `session ${h.session}: its ${o.stimulus} cube has bins of ${h.bin_width} s, the param bin_width is ${o.params.bin_width} s`,
      );
    }
  }
  const first = headers[0];
  return cf.fileAttributes({
    stimulus: o.stimulus,
    stimulusNames: first?.stimulus_names ?? [],
    parameters: first ? Object.keys(first.presentations.params) : [],
    params: o.params,
    flowVersion: o.flowVersion,
    nodeKey: o.nodeKey,
    sessions: headers.filter((h) => !o.structures || h.structures.some((s) => o.structures!.test(s.name))).map((h) => h.session),
    structures: o.structures?.source,
  });
}

/** One session's structure groups; returns how many were written (0: none selected). */
function writeSession(f: H5Group, cube: Cube, o: WriteOptions): number {
  const structs = cube.header.structures.filter((s) => !o.structures || o.structures.test(s.name));
  if (structs.length === 0) return 0;
  const sg = f.create_group(`session_${cube.header.session}`);
  setAttrs(sg, cf.sessionAttributes(cube.header));
  let shared: string | undefined; // the structure group that holds the session-wide groups
  for (const s of structs) {
    const g = sg.create_group(s.name);
    setAttrs(g, { structure: s.name, n_units: BigInt(s.unit_ids.length) });
    writeSpikes(g, cube, s.name, o);
    if (shared === undefined) {
      writeSessionGroups(g, cube, o);
      shared = g.path;
    } else {
      // speed, pupil_data and presentations are the same for every structure of a
      // session: stored once, hard-linked (the same HDF5 group under each path;
      // both xarray engines open every path).
      for (const name of SESSION_GROUPS) if (cube.header.pupil_columns.length || name !== "pupil_data") g.create_hard_link(`${shared}/${name}`, name);
    }
  }
  return structs.length;
}

const SESSION_GROUPS = ["speed", "pupil_data", "presentations"] as const;

function writeSpikes(g: H5Group, cube: Cube, structure: string, o: WriteOptions) {
  const h = cube.header;
  const P = h.presentations.ids.length,
    T = h.n_bins;
  const s = h.structures.find((x) => x.name === structure)!;
  const U = s.unit_ids.length;
  const pid = i64(h.presentations.ids);

  const sd = g.create_group("spike_data");
  setAttrs(sd, cf.dataGroupAttributes(h, structure));
  coord(sd, "presentation_id", pid);
  coord(sd, "unit_id", i64(s.unit_ids));
  timeAxis(sd, h, clipped(h), o.params.gzip_level);
  const cp = Math.max(1, Math.min(P, Math.floor((o.chunkBytes ?? 1 << 20) / (U * T))));
  variable(sd, "spike_data", unpack(cube.spikes.get(structure)!, U, T, 0, P), ["presentation_id", "unit_id", "time"], [P, U, T], {
    dtype: "<B",
    chunks: [cp, U, T],
    gzip: o.params.gzip_level,
    attrs: cf.SPIKE_ATTRS,
  });
}

/** The session-wide groups: speed, pupil_data (if any) and presentations. */
function writeSessionGroups(g: H5Group, cube: Cube, o: WriteOptions) {
  const h = cube.header;
  const P = h.presentations.ids.length,
    T = h.n_bins;
  const pid = i64(h.presentations.ids);
  const sp = g.create_group("speed");
  setAttrs(sp, cf.dataGroupAttributes(h, undefined));
  coord(sp, "presentation_id", pid);
  timeAxis(sp, h, clipped(h), o.params.gzip_level);
  const chunkP = Math.max(1, Math.min(P, Math.floor((1 << 18) / T)));
  variable(sp, "speed", cube.speed, ["presentation_id", "time"], [P, T], {
    dtype: "<f",
    chunks: [chunkP, T],
    gzip: o.params.gzip_level,
    attrs: cf.SPEED_ATTRS,
  });

  if (h.pupil_columns.length) {
    const pg = g.create_group("pupil_data");
    setAttrs(pg, cf.dataGroupAttributes(h, undefined));
    coord(pg, "presentation_id", pid);
    timeAxis(pg, h, clipped(h), o.params.gzip_level);
    for (const c of h.pupil_columns) {
      variable(pg, c, cube.pupil.get(c)!, ["presentation_id", "time"], [P, T], {
        dtype: "<f",
        chunks: [chunkP, T],
        gzip: o.params.gzip_level,
        attrs: cf.gazeAttrs(c),
      });
    }
  }

  const pr = g.create_group("presentations");
  setAttrs(pr, cf.dataGroupAttributes(h, undefined));
  coord(pr, "presentation_id", pid);
  const pres = h.presentations;
  const cols: [string, (number | null)[]][] = [
    ["stimulus_block", pres.stimulus_block],
    ["start_time", pres.start_time],
    ["stop_time", pres.stop_time],
    ["duration", pres.duration],
    ...Object.entries(pres.params),
  ];
  for (const [name, values] of cols) {
    variable(pr, name, Float64Array.from(values, nan), ["presentation_id"], [P], {
      dtype: "<d",
      attrs: cf.presentationAttrs(name, Object.keys(pres.params)),
    });
  }
}

/** Natural movies: each presentation's edges are clipped at its stop time (docs/design.md §4.5). */
const clipped = (h: CubeHeader) => isMovie(h.stimulus);
