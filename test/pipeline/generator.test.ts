// The generator is deterministic, and it plants the edge cases the binning tests need.
import { describe, it, expect, inject } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import h5wasm from "h5wasm/node";
import { tempDir } from "../rig.js";
import { writeCache, cacheSpecs } from "../../tasks/synth/cache.js";
import { buildSession } from "../../tasks/synth/session.js";

const sha = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");

describe("synthetic cache generator", () => {
  it("writes the same bytes for the same seed", async () => {
    const d = join(tempDir(), "c");
    const specs = cacheSpecs("example").slice(0, 2);
    await writeCache(d, specs);
    const ex = inject("exampleCache");
    for (const s of specs) {
      const f = `session_${s.id}/session_${s.id}.nwb`;
      expect(sha(join(d, f))).toBe(sha(join(ex, f)));
    }
  });

  it("writes the cache files with consistent ids (units → channels → probes → sessions)", () => {
    const ex = inject("exampleCache");
    const rows = (f: string) =>
      readFileSync(join(ex, f), "utf8")
        .trim()
        .split("\n")
        .slice(1)
        .map((l) => l.split(","));
    const sessions = new Set(rows("sessions.csv").map((r) => r[0]));
    const probes = new Map(rows("probes.csv").map((r) => [r[0], r[1]]));
    const channels = new Map(rows("channels.csv").map((r) => [r[0], r[1]]));
    for (const p of probes.values()) expect(sessions.has(p)).toBe(true);
    for (const c of channels.values()) expect(probes.has(c)).toBe(true);
    const units = rows("units.csv");
    expect(units.length).toBe(4 * 90);
    expect(JSON.parse(readFileSync(join(ex, "manifest.json"), "utf8")).manifest[0]).toEqual({ type: "manifest_version", value: "0.3.0" });
    expect(readdirSync(ex).sort()).toEqual([
      "channels.csv",
      "manifest.json",
      "probes.csv",
      "session_715093703",
      "session_719161530",
      "session_766640955",
      "session_767871931",
      "sessions.csv",
      "units.csv",
    ]);
  });

  it("plants spikes exactly on bin edges and at movie stops, and they bin inclusively in the output", async () => {
    await h5wasm.ready;
    const ws = inject("exampleWorkspace");
    const spec = cacheSpecs("example")[0]!;
    const model = buildSession(spec);
    const f = new h5wasm.File(join(ws, "data/02_stimulus_types/flashes.h5"), "r");
    let innerEdges = 0;
    try {
      for (const [unit, times] of model.edgeSpikes) {
        const u = model.units.find((x) => x.id === unit)!;
        const base = `session_${spec.id}/${u.structure}`;
        const ids = Array.from((f.get(`${base}/spike_data/unit_id`) as unknown as { value: BigInt64Array }).value, Number);
        const ui = ids.indexOf(unit);
        const starts = Array.from((f.get(`${base}/presentations/start_time`) as unknown as { value: Float64Array }).value);
        const data = f.get(`${base}/spike_data/spike_data`) as unknown as { value: Uint8Array; shape: number[] };
        const [, U, T] = data.shape as [number, number, number];
        for (const t of times) {
          for (let p = 0; p < starts.length; p++) {
            for (let k = 1; k < T; k++) {
              if (t !== starts[p]! + k * 0.02) continue;
              // on the edge between bins k−1 and k: counted in both
              innerEdges++;
              expect(data.value[(p * U + ui) * T + k - 1]).toBe(1);
              expect(data.value[(p * U + ui) * T + k]).toBe(1);
            }
          }
        }
      }
    } finally {
      f.close();
    }
    expect(innerEdges).toBeGreaterThan(0);
  });
});

describe("the dataset scale (bench/dataset.ts)", () => {
  it("gives N full-size sessions, the two session types in turn, each with its own id and seed", () => {
    const specs = cacheSpecs("dataset", 1, 5);
    expect(specs.map((s) => s.type)).toEqual([
      "brain_observatory_1.1",
      "functional_connectivity",
      "brain_observatory_1.1",
      "functional_connectivity",
      "brain_observatory_1.1",
    ]);
    expect(specs.every((s) => s.scale === "full")).toBe(true);
    expect(new Set(specs.map((s) => s.id)).size).toBe(5);
    expect(new Set(specs.map((s) => s.seed)).size).toBe(5);
    expect(cacheSpecs("dataset", 2, 5).map((s) => s.seed)).not.toEqual(specs.map((s) => s.seed)); // --seed gives other sessions
  });
});
