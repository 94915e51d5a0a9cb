// Opening a session NWB: every way a real download goes wrong (missing, truncated, not
// HDF5, not an NWB session) becomes one message naming the file — never an h5wasm trace.
import { openSync, readSync, closeSync, statSync } from "node:fs";
import { TaskError } from "#flow/task";
import { h5, type H5File, type H5Dataset, type H5Group } from "../h5.js";

const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Checks the HDF5 superblock: signature, and that the file is as long as it says. */
export function checkHdf5File(path: string): void {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new TaskError(`${path}: not a file`);
    size = st.size;
  } catch (e) {
    if (e instanceof TaskError) throw e;
    throw new TaskError(`${path}: no such file`);
  }
  const head = Buffer.alloc(64);
  const fd = openSync(path, "r");
  let n: number;
  try {
    n = readSync(fd, head, 0, 64, 0);
  } finally {
    closeSync(fd);
  }
  if (n < 8 || !head.subarray(0, 8).equals(SIGNATURE)) {
    throw new TaskError(`${path}: not an HDF5 file (no HDF5 signature; ${size} bytes) — is the download complete and is this an NWB file?`);
  }
  const version = head[8]!;
  let eofOffset: number;
  let offSize: number;
  if (version === 0 || version === 1) {
    offSize = head[13]!;
    eofOffset = version === 0 ? 24 + 2 * offSize : 28 + 2 * offSize;
  } else {
    offSize = head[9]!;
    eofOffset = 12 + 2 * offSize;
  }
  if (offSize !== 8 || n < eofOffset + 8) return; // unusual layout: let HDF5 judge
  const eof = Number(head.readBigUInt64LE(eofOffset));
  if (eof > size) {
    throw new TaskError(`${path}: truncated HDF5 file (${size} of ${eof} bytes) — re-download it`);
  }
}

export class Nwb {
  private constructor(
    readonly path: string,
    readonly file: H5File,
    /** the content hash the engine computed for the file (ctx.inputHashes): what a worker's memo knows it by */
    readonly identity: string | undefined,
  ) {}

  static async open(path: string, identity?: string): Promise<Nwb> {
    checkHdf5File(path);
    const lib = await h5();
    const file = new lib.File(path, "r");
    if ((file as unknown as { file_id: bigint }).file_id < 0n) {
      throw new TaskError(`${path}: HDF5 could not open the file (corrupt?)`);
    }
    const nwb = new Nwb(path, file, identity);
    try {
      nwb.validate();
    } catch (e) {
      nwb.close();
      throw e;
    }
    return nwb;
  }

  private validate() {
    const attrs = this.file.attrs;
    const type = attrs.neurodata_type?.value;
    if (type !== "NWBFile")
      throw new TaskError(`${this.path}: not an NWB file (root neurodata_type is ${type === undefined ? "missing" : JSON.stringify(type)})`);
    const version = attrs.nwb_version?.value;
    if (typeof version !== "string" || !version.startsWith("2.")) {
      throw new TaskError(`${this.path}: unsupported NWB version ${JSON.stringify(version)} (need 2.x)`);
    }
    for (const p of [
      "/units",
      "/units/spike_times",
      "/units/spike_times_index",
      "/intervals",
      "/processing/running",
      "/general/extracellular_ephys/electrodes",
    ]) {
      if (!this.has(p)) throw new TaskError(`${this.path}: not an Allen NWB session file: missing ${p}`);
    }
  }

  has(path: string): boolean {
    // Walk down with keys(): get() of a missing path makes HDF5 print diagnostics.
    const parts = path.split("/").filter(Boolean);
    let g: H5Group = this.file;
    for (let i = 0; i < parts.length; i++) {
      if (!g.keys().includes(parts[i]!)) return false;
      if (i < parts.length - 1) {
        const next = g.get(parts[i]!);
        if (!next || !(next instanceof Object) || !("keys" in next)) return false;
        g = next as H5Group;
      }
    }
    return true;
  }

  group(path: string): H5Group {
    const g = this.has(path) ? this.file.get(path) : null;
    if (!g || !("keys" in (g as object))) throw new TaskError(`${this.path}: missing group ${path}`);
    return g as H5Group;
  }

  dataset(path: string): H5Dataset {
    const d = this.has(path) ? this.file.get(path) : null;
    if (!d || !("slice" in (d as object))) throw new TaskError(`${this.path}: missing dataset ${path}`);
    return d as H5Dataset;
  }

  /** Any numeric dataset as float64 (int64 via Number; ids are < 2^53). */
  numbers(path: string): Float64Array {
    return toFloat64(this.dataset(path).value, `${this.path}:${path}`);
  }

  strings(path: string): string[] {
    const v = this.dataset(path).value;
    if (typeof v === "string") return [v];
    if (!Array.isArray(v)) throw new TaskError(`${this.path}: ${path} is not a string column`);
    return v as string[];
  }

  close() {
    this.file.close();
  }
}

export function toFloat64(v: unknown, what: string): Float64Array {
  if (v instanceof Float64Array) return v;
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) return Float64Array.from(v as BigInt64Array, (x) => Number(x));
  if (ArrayBuffer.isView(v)) return Float64Array.from(v as unknown as ArrayLike<number>);
  if (typeof v === "number") return Float64Array.of(v);
  if (typeof v === "bigint") return Float64Array.of(Number(v));
  // A metric column entirely missing in a session is written as empty strings (docs/allen-nwb-layout.md §3.3).
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return Float64Array.from(v as string[], (s) => (s.trim() === "" ? NaN : Number(s)));
  throw new TaskError(`${what}: expected a numeric column`);
}
