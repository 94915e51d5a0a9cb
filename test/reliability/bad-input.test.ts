// The bad-input catalogue on real (synthetic Allen) data: each case gets one clear
// error naming the file and the problem, a non-zero exit, no stack trace, and nothing
// already computed is lost: afterwards the original configuration is still up to date.
// (Pipeline-file, --set and selector cases are in test/engine/load-errors, shell-safety
// and invalidate tests.)
import { describe, it, expect, inject, beforeAll } from "vitest";
import { execFileSync } from "node:child_process";
import { writeFileSync, readFileSync, unlinkSync, mkdirSync, existsSync, readdirSync, statSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { createHash } from "node:crypto";
import { pipelineWorkspace, flow, runJson, statusJson, tempDir, writeNwbWithoutUnits } from "../rig.js";
import { buildSession, type SessionModel } from "../../tasks/synth/session.js";
import { writeSessionNwb } from "../../tasks/synth/write-nwb.js";
import { cacheSpecs } from "../../tasks/synth/cache.js";

const BO = 719161530; // a session without eye tracking: the smallest file
let ws: string, good: string, before: Record<string, string>;

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  // results only: .flow/state is bookkeeping (timestamps, input paths), checked via status
  for (const sub of ["data", "cache/objects", "cache/index"]) if (existsSync(join(dir, sub))) walk(join(dir, sub));
  return out;
}

/** A copy of the good cache (hard links) with one session file replaced. */
function brokenCache(write: (nwbPath: string) => void | Promise<void>): Promise<string> | string {
  const dir = join(tempDir("flow-bad-"), "cache");
  execFileSync("cp", ["-al", good, dir]);
  const nwb = join(dir, `session_${BO}`, `session_${BO}.nwb`);
  unlinkSync(nwb); // never write through a hard link into the good cache
  const r = write(nwb);
  return r instanceof Promise ? r.then(() => dir) : dir;
}

async function mutated(f: (m: SessionModel) => void): Promise<string> {
  return brokenCache(async (nwb) => {
    const m = buildSession(cacheSpecs("example").find((s) => s.id === BO)!);
    f(m);
    await writeSessionNwb(nwb, m);
  });
}

/** A finished node's line without its time and [n/N]. */
const unstamp = (l: string) => l.replace(/^\d\d:\d\d:\d\d \[\d+\/\d+\] /, "");

async function expectClearFailure(cache: string, pattern: RegExp, ...extra: string[]) {
  const r = await flow(ws, "run", "--set", `allen_cache=${cache}`, ...extra);
  expect(r.code).not.toBe(0);
  const lines = r.stderr
    .trim()
    .split("\n")
    .map(unstamp)
    .filter((l) => l.startsWith("✘") || l.startsWith("flow:"));
  expect(lines.length, r.stderr).toBeGreaterThanOrEqual(1);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack trace
  // Nothing lost: the original configuration runs nothing (whatever the failed run
  // changed is restored from the cache), and then every file is as it was.
  const back = await runJson(ws, "--set", `allen_cache=${good}`);
  expect(back.code).toBe(0);
  expect(back.summary.ran).toEqual([]);
  const after = snapshot(ws);
  for (const [f, h] of Object.entries(before)) expect(after[f], f).toBe(h);
  const st = await statusJson(ws, "--set", `allen_cache=${good}`);
  expect(st.filter((n) => n.state !== "up-to-date")).toEqual([]);
  return r;
}

describe("bad input on real data: one clear error, nothing lost", () => {
  beforeAll(async () => {
    good = join(tempDir("flow-good-"), "cache");
    execFileSync("cp", ["-a", inject("exampleCache"), good]);
    ws = pipelineWorkspace();
    const r = await runJson(ws, "--set", `allen_cache=${good}`);
    expect(r.code).toBe(0);
    before = snapshot(ws);
  });

  it("allen_cache does not exist", async () => {
    const r = await expectClearFailure(
      "/nonexistent/allen",
      /^flow: pipeline\.yaml:\d+ \(sets\.session\): set 'session' is empty: \/nonexistent\/allen does not exist$/,
    );
    expect(r.code).toBe(3); // the environment: an input that is not there
  });
  it("allen_cache is empty", async () => {
    const d = tempDir();
    await expectClearFailure(d, new RegExp(`set 'session' is empty: no file matches ${d}/session_\\{session\\}/session_\\{session\\}\\.nwb$`));
  });
  it("allen_cache is not a cache", async () => {
    const d = tempDir();
    writeFileSync(join(d, "notes.txt"), "hello");
    mkdirSync(join(d, "session_x"));
    // a folder named like a session without its NWB is a member that cannot be read
    await expectClearFailure(d, new RegExp(`set 'session': ${d}/session_x/session_x\\.nwb: no such file \\(its folder matches the set\\)$`));
  });
  it("a truncated NWB", async () => {
    const full = readFileSync(join(good, `session_${BO}`, `session_${BO}.nwb`));
    const c = await brokenCache((p) => writeFileSync(p, full.subarray(0, 100_000)));
    await expectClearFailure(c, new RegExp(`session_${BO}\\.nwb: truncated HDF5 file \\(100000 of ${full.length} bytes\\) — re-download it$`));
  });
  it("a text file named .nwb", async () => {
    const c = await brokenCache((p) => writeFileSync(p, "<html>404</html>\n"));
    await expectClearFailure(c, new RegExp(`session_${BO}\\.nwb: not an HDF5 file`));
  });
  it("an NWB without /units", async () => {
    const c = await brokenCache((p) => writeNwbWithoutUnits(p));
    await expectClearFailure(c, new RegExp(`session_${BO}\\.nwb: not an Allen NWB session file: missing /units$`));
  });
  it("an NWB without any *_presentations table", async () => {
    const c = await mutated((m) => {
      m.rows = m.rows.slice(0, 1).map((r) => ({ ...r, stimulus_name: "x" }));
      m.rows.length = 0;
    });
    await expectClearFailure(c, new RegExp(`session_${BO}\\.nwb: no stimulus tables: /intervals has no \\*_presentations group$`));
  });
  it("non-monotonic spike times", async () => {
    let unit = 0;
    const c = await mutated((m) => {
      const u = m.units.find((x) => !x.expectDrop && x.spikes.length > 10)!;
      unit = u.id;
      const s = u.spikes;
      [s[5], s[6]] = [s[6]!, s[5]!];
    });
    await expectClearFailure(c, new RegExp(`session_${BO}\\.nwb: spike times of unit ${unit} are not sorted`));
  });
  it("NaN start_time", async () => {
    const c = await mutated((m) => {
      m.rows.find((r) => r.stimulus_name === "flashes")!.start = NaN;
    });
    await expectClearFailure(c, new RegExp(`session_${BO}\\.nwb: presentation \\d+ \\(flashes\\) has start_time NaN`));
  });
  it("a session with no unit passing QC", async () => {
    const c = await mutated((m) => {
      for (const u of m.units) u.quality = "noise";
    });
    await expectClearFailure(c, new RegExp(`session_${BO}\\.nwb: no unit passes the quality filter \\(90 units in the file\\)$`));
  });
  it("a stimulus with no presentation left after filtering", async () => {
    const r = await flow(ws, "run", "--set", `allen_cache=${good}`, "--set", "median_threshold_other=0", "--keep-going");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /✘ stimulus_file\[stimulus=gabors\]: stimulus gabors: none of its \d+ presentations is left in any of the 4 sessions after filtering \(remove it from the 'stimuli' param, or check the duration thresholds\)/,
    );
    // nothing lost: the default configuration restores everything from the cache
    const back = await runJson(ws, "--set", `allen_cache=${good}`);
    expect(back.summary.ran).toEqual([]);
    expect(back.summary.restored.length).toBeGreaterThan(0);
    const after = snapshot(ws);
    for (const [f, h] of Object.entries(before)) expect(after[f], f).toBe(h);
  });
  it("an unwritable data_dir", async () => {
    const file = join(tempDir(), "a-file");
    writeFileSync(file, "x");
    await expectClearFailure(
      good,
      /cannot write .*a-file\/data\/01_sessions\/.*: ENOTDIR \(a parent is not a directory\)/,
      "--set",
      `data_dir=${file}/data`,
    );
  });
  it("a full disk", async () => {
    const mnt = tempDir("flow-tinyfs-");
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt], { stdio: "ignore" });
    } catch {
      console.warn("SKIPPED full-disk case: cannot mount a tmpfs here (needs root)");
      return;
    }
    try {
      await expectClearFailure(good, /cannot write .*: ENOSPC \(disk full\)/, "--set", `data_dir=${mnt}/data`, "--set", "bin_width=0.021");
    } finally {
      execFileSync("umount", [mnt]);
      rmSync(mnt, { recursive: true, force: true });
    }
  });
  it("a stimulus that no session of the cache shows is not an error: its file is empty", async () => {
    const dir = join(tempDir("flow-bo-"), "cache");
    execFileSync("cp", ["-al", good, dir]);
    for (const id of [766640955, 767871931]) rmSync(join(dir, `session_${id}`), { recursive: true }); // functional_connectivity sessions
    const w = pipelineWorkspace();
    // sessions.csv still lists them: a missing listed session fails its nodes…
    const missing = await runJson(w, "--set", `allen_cache=${dir}`, "--keep-going");
    expect(missing.code).toBe(1);
    expect(missing.summary.failed.map((f) => f.id).sort()).toEqual([
      "presentations[session=766640955]",
      "presentations[session=767871931]",
      "units[session=766640955]",
      "units[session=767871931]",
    ]);
    // …so choose the sessions of the other type
    const r = await runJson(w, "--set", `allen_cache=${dir}`, "--set", "session_types=[brain_observatory_1.1]");
    expect(r.code).toBe(0);
    const { h5 } = await import("../../tasks/formats/h5.js");
    const lib = await h5();
    const f = new lib.File(join(w, "data/02_stimulus_types/dot_motion.h5"), "r");
    expect(f.keys()).toEqual([]);
    expect(f.attrs.note!.value).toBe("no session of this cache shows dot_motion");
    f.close();
  });

  it("one broken session with --keep-going: everything else completes; after the fix only its nodes run", async () => {
    const full = readFileSync(join(good, `session_${BO}`, `session_${BO}.nwb`));
    const c = await brokenCache((p) => writeFileSync(p, full.subarray(0, 5000)));
    const w = pipelineWorkspace();
    const r = await runJson(w, "--set", `allen_cache=${c}`, "--keep-going");
    expect(r.code).toBe(1);
    expect(r.summary.failed.map((f) => f.id).sort()).toEqual([`presentations[session=${BO}]`, `units[session=${BO}]`]);
    expect(r.summary.ran.filter((id) => id.includes("session=715093703")).length).toBe(2); // presentations + units of a good session
    // the medians are over all sessions: they, every session's clean-up and the tables wait for the broken one
    expect(r.summary.skipped).toEqual(expect.arrayContaining(["medians", "clean[session=715093703]", "tables"]));
    writeFileSync(join(c, `session_${BO}`, `session_${BO}.nwb`), full);
    const fixed = await runJson(w, "--set", `allen_cache=${c}`);
    expect(fixed.code).toBe(0);
    expect(fixed.summary.upToDate.sort()).toEqual([
      "presentations[session=715093703]",
      "presentations[session=766640955]",
      "presentations[session=767871931]",
      "units[session=715093703]",
      "units[session=766640955]",
      "units[session=767871931]",
    ]);
  });
});
