// h5wasm set-up shared by the reader, the generator and the output writer.
import h5wasm from "h5wasm/node";

export type H5 = typeof h5wasm;
export type H5File = InstanceType<typeof h5wasm.File>;
export type H5Group = InstanceType<typeof h5wasm.Group>;
export type H5Dataset = InstanceType<typeof h5wasm.Dataset>;

let ready: Promise<H5> | undefined;

export function h5(): Promise<H5> {
  ready ??= h5wasm.ready.then(() => h5wasm);
  return ready;
}

/** A fixed clock for HDF5's object timestamps (h5wasm cannot turn track_times off). */
export const FROZEN_EPOCH_MS = 1_600_000_000_000;

/**
 * Runs synchronous HDF5 writes with Date.now frozen, so the same content gives the
 * same bytes (h5wasm-notes §4). Everything inside must be synchronous.
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
