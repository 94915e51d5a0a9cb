// Direct tests of three small pieces everything rests on: the canonical encoding the
// keys hash, path templates, and globbing with named wildcards.
import { describe, expect, it } from "vitest";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { canonical } from "../../engine/hash/canonical.js";
import { resolvePath, substitute } from "../../engine/pipeline/template.js";
import { globWildcards } from "../../engine/pipeline/glob.js";
import { tempDir } from "../rig.js";

describe("canonical encoding", () => {
  it("sorts keys at every depth, drops undefined, keeps array order and exact numbers", () => {
    expect(canonical({ b: 1, a: { d: [3, 1], c: "x" }, u: undefined })).toBe('{"a":{"c":"x","d":[3,1]},"b":1}');
    expect(canonical({ a: 1, b: 2 })).toBe(canonical({ b: 2, a: 1 }));
    expect(canonical(0.1 + 0.2)).toBe("0.30000000000000004");
    expect(canonical([NaN, Infinity])).toBe('["NaN","Infinity"]');
    expect(canonical("é\n")).toBe('"é\\n"');
    expect(canonical(null)).toBe("null");
    expect(canonical(1)).not.toBe(canonical("1")); // a number and its text never hash alike
  });
});

describe("templates", () => {
  const scope = {
    vars: { session: "715093703" },
    params: { data_dir: "data", cache: "/big/allen", n: 3, list: [1, 2] },
    defs: { cache: { default: "", path: true } },
    where: "pipeline.yaml:9 (t)",
  };
  it("substitutes vars and params as single values", () => {
    expect(substitute("${data_dir}/s_${session}_${n}.json", scope)).toBe("data/s_715093703_3.json");
    expect(() => substitute("${nope}", scope)).toThrow("pipeline.yaml:9 (t): unknown reference ${nope}");
    expect(() => substitute("${list}", scope)).toThrow("${list} is a list, not a single value");
  });
  it("keeps paths inside the workspace unless a path param says otherwise", () => {
    const root = "/ws";
    expect(resolvePath("${data_dir}/x", scope, root)).toBe("/ws/data/x");
    expect(resolvePath("${cache}/session_${session}.nwb", scope, root)).toBe("/big/allen/session_715093703.nwb");
    expect(() => resolvePath("../${data_dir}", scope, root)).toThrow("outside its place in the workspace");
    expect(() => resolvePath("x/${d}", { ...scope, vars: { d: "../../etc" } }, root)).toThrow("would leave the workspace");
    expect(() => resolvePath("${e}", { ...scope, vars: { e: "." } }, root)).toThrow("the workspace folder itself");
  });
});

describe("glob with named wildcards", () => {
  it("captures the same name consistently, reports unreadable members, and ignores what does not match", () => {
    const d = tempDir();
    for (const id of ["1", "22"]) {
      mkdirSync(join(d, `session_${id}`));
      writeFileSync(join(d, `session_${id}`, `session_${id}.nwb`), "x");
    }
    mkdirSync(join(d, "session_3")); // a member folder without its file
    writeFileSync(join(d, "session_3", "session_4.nwb"), "x"); // the name does not repeat the capture
    mkdirSync(join(d, "other"));
    symlinkSync(join(d, "nowhere"), join(d, "session_5"));
    const r = globWildcards("session_{s}/session_{s}.nwb", d);
    expect(r.map((m) => m.captures.s).sort()).toEqual(["1", "22"]);
    expect(r.map((m) => m.path)).toContain(join(d, "session_22", "session_22.nwb"));
    expect(r.problems.map((p) => [p.path, p.why])).toEqual([
      [join(d, "session_3", "session_3.nwb"), "no such file (its folder matches the set)"],
      [join(d, "session_5"), `a dangling symbolic link (to ${join(d, "nowhere")})`],
    ]);
  });
});
