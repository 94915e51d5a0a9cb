// The reader on generated files reproduces what the generator put in.
import { describe, it, expect, inject, beforeAll, afterAll } from "vitest";
import { join } from "node:path";
import { Nwb } from "../../tasks/formats/nwb/open.js";
import { readUnits, forEachUnitSpikes } from "../../tasks/formats/nwb/read-units.js";
import { readPresentations } from "../../tasks/formats/nwb/read-presentations.js";
import { readRunningSpeed, readScreenGaze } from "../../tasks/formats/nwb/behaviour.js";
import { buildSession, type SessionModel } from "../../tasks/synth/session.js";
import { cacheSpecs } from "../../tasks/synth/cache.js";

const specs = cacheSpecs("example");

describe.each(specs.map((s) => [s.id, s] as const))("session %i", (id, spec) => {
  let nwb: Nwb;
  let model: SessionModel;
  beforeAll(async () => {
    model = buildSession(spec);
    nwb = await Nwb.open(join(inject("exampleCache"), `session_${id}`, `session_${id}.nwb`));
  });
  afterAll(() => nwb.close());

  it("keeps and drops units exactly as the generator planned, for the planned reason", () => {
    const units = readUnits(nwb);
    expect(units.length).toBe(model.units.length);
    const byId = new Map(units.map((u) => [u.unit_id, u]));
    for (const m of model.units) {
      const u = byId.get(m.id)!;
      expect(u.kept, `unit ${m.id}`).toBe(m.expectDrop === undefined);
      if (m.expectDrop) expect(u.reason!.startsWith(m.expectDrop.replace("quality", "quality "))).toBe(true);
      else expect(u.structure).toBe(m.structure);
    }
    // every planted filter branch occurs
    const reasons = new Set(units.filter((u) => !u.kept).map((u) => u.reason!.split(" ")[0]));
    for (const r of ["invalid", "out", "quality", "amplitude_cutoff", "presence_ratio", "isi_violations"]) expect(reasons).toContain(r);
    // boundary values are kept (inclusive thresholds)
    expect(model.units.filter((u) => u.metrics.amplitude_cutoff === 0.1 && !u.expectDrop).length).toBeGreaterThan(0);
  });

  it("orders units by probe, then vertical and horizontal position", () => {
    const units = readUnits(nwb);
    for (let i = 1; i < units.length; i++) {
      const a = units[i - 1]!,
        b = units[i]!;
      if (a.probe !== b.probe) expect(a.probe < b.probe).toBe(true);
      else if (a.vertical !== b.vertical) expect(a.vertical).toBeLessThan(b.vertical);
      else expect(a.horizontal).toBeLessThanOrEqual(b.horizontal);
    }
  });

  it("reads every unit's spike train through the ragged index", () => {
    const units = readUnits(nwb);
    const byRow = new Map(units.map((u) => [u.row, u.unit_id]));
    const model_ = new Map(model.units.map((u) => [u.id, u.spikes]));
    let seen = 0;
    forEachUnitSpikes(
      nwb,
      units.map((u) => u.row),
      (row, s) => {
        expect(Array.from(s)).toEqual(Array.from(model_.get(byRow.get(row)!)!));
        seen++;
      },
      5000,
    ); // small batches: exercise the batching
    expect(seen).toBe(units.length);
    expect(model.units.some((u) => u.spikes.length === 0)).toBe(true);
  });

  it("assembles presentations as AllenSDK does", () => {
    const ps = readPresentations(nwb);
    expect(ps.length).toBe(model.rows.length);
    ps.forEach((p, i) => expect(p.stimulus_presentation_id).toBe(i));
    for (let i = 1; i < ps.length; i++) expect(ps[i]!.start_time).toBeGreaterThanOrEqual(ps[i - 1]!.start_time);
    const starts = [...model.rows].sort((a, b) => a.start - b.start);
    ps.forEach((p, i) => {
      expect(p.start_time).toBe(starts[i]!.start);
      expect(p.stop_time).toBe(starts[i]!.stop);
      if (p.stimulus_name !== "invalid_presentation") expect(p.duration).toBe(starts[i]!.stop - starts[i]!.start);
      else expect(p.duration).toBeNaN();
    });
    // "N/A" and NaN become null; numeric text stays text; colours parse
    const dg = ps.filter((p) => p.stimulus_name === (spec.type === "brain_observatory_1.1" ? "drifting_gratings" : "drifting_gratings_75_repeats"));
    const blanks = dg.filter((p) => p.params.temporal_frequency === null);
    expect(blanks.length).toBeGreaterThan(0);
    for (const b of blanks) expect(b.params.spatial_frequency).toBeNull();
    expect(dg.find((p) => p.params.temporal_frequency !== null)!.params.spatial_frequency).toBe("0.04");
    if (spec.type === "brain_observatory_1.1") {
      const sg = ps.filter((p) => p.stimulus_name === "static_gratings");
      expect(new Set(sg.map((p) => p.params.phase))).toEqual(new Set(["0.0", "0.25", "0.5", "0.75", null]));
      expect(ps.some((p) => p.stimulus_name === "natural_scenes" && p.params.frame === -1)).toBe(true);
    }
    const fl = ps.filter((p) => p.stimulus_name === "flashes");
    expect(new Set(fl.map((p) => p.params.color))).toEqual(new Set([-1, 1]));
    const gab = ps.find((p) => p.stimulus_name === "gabors")!;
    expect(gab.params.color).toBeNull(); // "[1.0, 1.0, 1.0]" moved to color_triplet (dropped)
    expect("color_triplet" in gab.params).toBe(false);
    expect("mask" in gab.params).toBe(false);
    // condition ids: the same parameters give the same id
    const c = new Map<string, number>();
    for (const p of ps) {
      const k = JSON.stringify([p.stimulus_name, Object.entries(p.params).sort()]);
      if (p.stimulus_name === "invalid_presentation") continue;
      if (c.has(k)) expect(p.stimulus_condition_id).toBe(c.get(k));
      c.set(k, p.stimulus_condition_id!);
    }
  });

  it("turns presentations overlapping a stimulus-tagged invalid interval into invalid_presentation", () => {
    const ps = readPresentations(nwb);
    const invalid = ps.filter((p) => p.stimulus_name === "invalid_presentation");
    const stimTagged = model.invalid.filter((r) => r.tags[2] === "stimulus");
    const expected = model.rows.filter((r) => stimTagged.some((iv) => Math.max(r.start, iv.start) <= Math.min(r.stop, iv.stop)));
    expect(invalid.length).toBe(expected.length);
    if (spec.invalid) expect(invalid.length).toBe(2); // the probe-tagged interval invalidates nothing
  });

  it("reads running speed, and gaze with column 1 as x", () => {
    const run = readRunningSpeed(nwb);
    expect(Array.from(run.times)).toEqual(Array.from(model.running.start));
    expect(Array.from(run.values)).toEqual(Array.from(model.running.velocity));
    const gaze = readScreenGaze(nwb);
    if (!spec.eye) {
      expect(gaze).toBeUndefined();
      return;
    }
    const n = model.eye!.times.length;
    expect(gaze!.columns.raw_screen_coordinates_x_cm![7]).toBe(model.eye!.raw.screen[2 * 7 + 1]);
    expect(gaze!.columns.raw_screen_coordinates_y_cm![7]).toBe(model.eye!.raw.screen[2 * 7]);
    expect(gaze!.columns.raw_screen_coordinates_spherical_x_deg![n - 1]).toBe(model.eye!.raw.spherical[2 * (n - 1) + 1]);
    expect(Array.from(gaze!.columns.raw_pupil_area!)).toEqual(Array.from(model.eye!.raw.pupilArea));
  });
});
