// h5wasm set-up shared by the reader, the generator and the output writer.
import h5wasm from "h5wasm/node";
import { TaskError } from "#flow/task";

export type H5 = typeof h5wasm;
export type H5File = InstanceType<typeof h5wasm.File>;
export type H5Group = InstanceType<typeof h5wasm.Group>;
export type H5Dataset = InstanceType<typeof h5wasm.Dataset>;

let ready: Promise<H5> | undefined;

/**
 * h5wasm, ready, with HDF5's throwing error handler on: by default a failing HDF5 call
 * (a filter that fails, a full disk, a read past the heap) only prints HDF5-DIAG lines
 * and returns — writing zeros with exit 0 (docs/h5wasm-notes.md §6). With it, every library
 * error throws. A worker that saw one is not reused (the engine retires it), since a
 * throw can leave HDF5 identifiers open.
 */
export function h5(): Promise<H5> {
  ready ??= h5wasm.ready.then((mod) => {
    mod.activate_throwing_error_handler();
    return h5wasm;
  });
  return ready;
}

/**
 * HDF5's error stack as one line: the API call that failed and the deepest cause, e.g.
 * "H5Dclose(): can't decrement count on dataset ID — H5Z_pipeline(): filter returned failure".
 */
export function hdf5Message(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const frames = text
    .split("\n")
    .filter((l) => /^\s*#\d+:/.test(l))
    .map((l) => l.replace(/^.* in (\S+\(\)): /, "$1: ").trim());
  if (frames.length === 0) return text.split("\n")[0]!;
  const first = frames[0]!,
    last = frames[frames.length - 1]!;
  return first === last ? first : `${first} — ${last}`;
}

/** Runs an HDF5 operation; a library error becomes one readable TaskError naming what was done where. */
export function h5op<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TaskError) throw e;
    throw new TaskError(`${what}: HDF5 error: ${hdf5Message(e)}`);
  }
}

/** A fixed clock for HDF5's object timestamps (h5wasm cannot turn track_times off). */
export const FROZEN_EPOCH_MS = 1_600_000_000_000;

/**
 * Runs synchronous HDF5 writes with Date.now frozen, so the same content gives the
 * same bytes (docs/h5wasm-notes.md §4). Everything inside must be synchronous.
 */
export function withFrozenClock<T>(fn: () => T): T {
  const real = Date.now;
  Date.now = () => FROZEN_EPOCH_MS;
  try {
    return fn();
  } finally {
    Date.now = real;
  }
}

export const i64 = (xs: ArrayLike<number>) => BigInt64Array.from(Array.from(xs, (x) => BigInt(x)));

/**
 * An attribute value with its HDF5 type fixed by its JS type (h5wasm's own guess makes
 * 1 an int32 and 0.5 a float64): number → float64, bigint → int64, string → UTF-8,
 * string[] → a list of strings, Float64Array, BigInt64Array and Uint8Array → arrays of
 * float64, int64 and uint8.
 */
export type AttrValue = string | number | bigint | string[] | Float64Array | BigInt64Array | Uint8Array;

/** Writes attributes on a file, group or dataset, each with a fixed HDF5 type. */
export function setAttrs(obj: H5Group | H5Dataset, attrs: Record<string, AttrValue>) {
  for (const [name, v] of Object.entries(attrs)) {
    if (typeof v === "string" || Array.isArray(v)) obj.create_attribute(name, v);
    else if (typeof v === "number") obj.create_attribute(name, v, [], "<d");
    else if (typeof v === "bigint") obj.create_attribute(name, BigInt64Array.of(v), [], "<q");
    else if (v instanceof Float64Array) obj.create_attribute(name, v, [v.length], "<d");
    else if (v instanceof BigInt64Array) obj.create_attribute(name, v, [v.length], "<q");
    else obj.create_attribute(name, v, [v.length], "<B");
  }
}
