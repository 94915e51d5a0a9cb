// The per-session × stimulus intermediate ("cube"): a JSON header followed by binary
// sections — spikes bit-packed (1 bit per presentation × unit × bin, in that order),
// speed and pupil as float32. Bit-packing keeps the 58-session intermediates ~8×
// smaller than uint8 without compression, and unpacking is a trivial loop.
import { openSync, writeSync, closeSync, readFileSync, readSync } from "node:fs";

const MAGIC = "FLOWCUBE1\n";

export interface CubePresentations {
  ids: number[];
  stimulus_block: number[];
  start_time: number[];
  stop_time: number[];
  duration: number[];
  /** relevant parameters, as float64 (NaN if a value is not numeric) */
  params: Record<string, number[]>;
}

export interface CubeStructure {
  name: string;
  unit_ids: number[];
}

export interface CubeHeader {
  session: number;
  /** the NWB's /general/stimulus (AllenSDK's session_type; "" where the file has none) */
  session_type: string;
  /** sha256 of the session's NWB file, as flow keyed it */
  nwb_sha256: string;
  stimulus: string;
  /** the AllenSDK stimulus names this stimulus type gathers */
  stimulus_names: string[];
  /** this session's presentations of the stimulus before the median and blank filters */
  presentations_before_filter: number;
  bin_width: number;
  n_bins: number;
  time: number[];
  presentations: CubePresentations;
  structures: CubeStructure[];
  pupil_columns: string[];
  /** byte offsets of the sections after the header */
  sections: Record<string, { offset: number; length: number }>;
}

export interface Cube {
  header: CubeHeader;
  spikes: Map<string, Uint8Array>; // structure → packed bits
  speed: Float32Array; // P × T
  pupil: Map<string, Float32Array>; // column → P × T
}

export function packedLength(bits: number) {
  return Math.ceil(bits / 8);
}

export function writeCube(path: string, cube: Omit<Cube, "header"> & { header: Omit<CubeHeader, "sections"> }) {
  const sections: CubeHeader["sections"] = {};
  const blobs: Uint8Array[] = [];
  let offset = 0;
  const add = (name: string, data: ArrayBufferView) => {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    sections[name] = { offset, length: bytes.length };
    blobs.push(bytes);
    offset += bytes.length;
    const pad = (8 - (offset % 8)) % 8; // keep float sections aligned
    if (pad) {
      blobs.push(new Uint8Array(pad));
      offset += pad;
    }
  };
  for (const s of cube.header.structures) add(`spikes/${s.name}`, cube.spikes.get(s.name)!);
  add("speed", cube.speed);
  for (const c of cube.header.pupil_columns) add(`pupil/${c}`, cube.pupil.get(c)!);
  const header = JSON.stringify({ ...cube.header, sections });
  let head = Buffer.from(`${MAGIC}${header.length}\n${header}\n`);
  const pad = (8 - (head.length % 8)) % 8;
  head = Buffer.concat([head, Buffer.alloc(pad, 0x20)]);
  const fd = openSync(path, "w");
  try {
    writeSync(fd, head);
    for (const b of blobs) writeSync(fd, b);
  } finally {
    closeSync(fd);
  }
}

/** Where the header lies: the magic, its length on one line, then the JSON. */
function headerSpan(path: string, head: Buffer): { start: number; len: number } {
  if (head.subarray(0, MAGIC.length).toString() !== MAGIC) throw new Error(`${path}: not a flow cube`);
  const nl = head.indexOf(0x0a, MAGIC.length);
  return { start: nl + 1, len: Number(head.subarray(MAGIC.length, nl).toString()) };
}

/** The header alone (statistics and figures need no tensor data). */
export function readCubeHeader(path: string): CubeHeader {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(64);
    readSync(fd, head, 0, 64, 0);
    const { start, len } = headerSpan(path, head);
    const json = Buffer.alloc(len);
    readSync(fd, json, 0, len, start);
    return JSON.parse(json.toString());
  } finally {
    closeSync(fd);
  }
}

export function readCube(path: string): Cube {
  const buf = readFileSync(path);
  const { start, len } = headerSpan(path, buf);
  const header: CubeHeader = JSON.parse(buf.subarray(start, start + len).toString());
  let base = start + len + 1;
  base += (8 - (base % 8)) % 8;
  const view = (name: string) => {
    const s = header.sections[name]!;
    return buf.subarray(base + s.offset, base + s.offset + s.length);
  };
  const f32 = (name: string) => {
    const v = view(name);
    const copy = new Uint8Array(v.length);
    copy.set(v);
    return new Float32Array(copy.buffer);
  };
  return {
    header,
    spikes: new Map(header.structures.map((s) => [s.name, view(`spikes/${s.name}`)])),
    speed: f32("speed"),
    pupil: new Map(header.pupil_columns.map((c) => [c, f32(`pupil/${c}`)])),
  };
}

/** byte → its 8 bits as 0/1 bytes (little-endian bit order), for unpacking 8 at a time */
const SPREAD = (() => {
  const t = new Uint8Array(256 * 8);
  for (let v = 0; v < 256; v++) for (let k = 0; k < 8; k++) t[v * 8 + k] = (v >>> k) & 1;
  return t;
})();
/** the same table as pairs of 32-bit words in this machine's byte order */
const SPREAD32 = new Uint32Array(SPREAD.buffer);

/**
 * Where unpack() writes: one buffer per process, grown as needed and reused. A fresh
 * array is zero pages the kernel must map on first touch, which on virtual machines costs
 * more than the unpacking itself (bench/full-session.ts).
 */
let scratch = new ArrayBuffer(0);

/**
 * Unpacks presentations [p0, p1) of a P × U × T bit cube into uint8 0/1. The result is a
 * view of a buffer the next call overwrites: hand it on (to HDF5, which copies it) before
 * unpacking again.
 */
export function unpack(bits: Uint8Array, U: number, T: number, p0: number, p1: number): Uint8Array {
  const per = U * T;
  const length = (p1 - p0) * per;
  if (scratch.byteLength < length) scratch = new ArrayBuffer(Math.ceil(length / 8) * 8);
  const out = new Uint8Array(scratch, 0, length);
  const base = p0 * per;
  let i = 0;
  // leading bits up to a byte boundary, then whole bytes, then the tail
  for (; i < out.length && ((base + i) & 7) !== 0; i++) out[i] = (bits[(base + i) >>> 3]! >>> ((base + i) & 7)) & 1;
  if ((i & 3) === 0) {
    // 8 output bytes as two aligned 32-bit stores, zero bytes included (the buffer is reused)
    const out32 = new Uint32Array(scratch, 0, out.length >>> 2);
    for (; i + 8 <= out.length; i += 8) {
      const v = bits[(base + i) >>> 3]!;
      out32[i >>> 2] = SPREAD32[v * 2]!;
      out32[(i >>> 2) + 1] = SPREAD32[v * 2 + 1]!;
    }
  } else {
    for (; i + 8 <= out.length; i += 8) {
      const v = bits[(base + i) >>> 3]!;
      for (let k = 0; k < 8; k++) out[i + k] = SPREAD[v * 8 + k]!;
    }
  }
  for (; i < out.length; i++) out[i] = (bits[(base + i) >>> 3]! >>> ((base + i) & 7)) & 1;
  return out;
}
