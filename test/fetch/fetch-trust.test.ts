// What flow fetch must never do, against a real HTTP server on 127.0.0.1 (server.ts):
// splice two versions of a file when a server ignores If-Range, write outside the cache
// folder for ids a table names, keep an HTML page as a table, hang on a trickle, or let
// parallel downloads on a nearly full disk all fail.
import { describe, expect, inject, it } from "vitest";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { BucketServer, useBucketServer } from "./server.js";
import { FLOW, canMountTmpfs, pipelineWorkspace, tempDir } from "../rig.js";

const cache = inject("exampleCache");
const nwb = (id: string) => `session_${id}/session_${id}.nwb`;
const [A, C] = ["715093703", "766640955"];
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const env = { FLOW_FETCH_BACKOFF_MS: "20" };
const fetchCmd = (ws: string, server: BucketServer, args: string[], extra: Record<string, string> = {}) =>
  execa(process.execPath, [FLOW, "fetch", "allen", server.url, ...args], { cwd: ws, reject: false, env: { ...process.env, ...env, ...extra } });

let server: BucketServer;
useBucketServer(cache, (s) => (server = s));

describe("flow fetch keeps one version of a file", () => {
  it("a resumed download whose 206 comes from a new version (a server ignoring If-Range, a multipart ETag) starts over", async () => {
    const ws = pipelineWorkspace();
    const original = readFileSync(join(cache, nwb(A)));
    // a new version of the object: other bytes, the same length, an ETag that is not an MD5
    const v2 = Buffer.from(original);
    for (let i = 4096; i < v2.length; i += 4096) v2[i] = v2[i]! ^ 0x5a;
    server.faults.set(nwb(A), [{ kind: "drop", after: 2_000_000 }]);
    const first = await fetchCmd(ws, server, ["--session-ids", A, "--retries", "0"]);
    expect(first.exitCode).toBe(3); // dropped, no retry left: the partial file stays
    expect(statSync(join(ws, "allen", `${nwb(A)}.partial`)).size).toBeGreaterThan(0);
    server.faults.set(nwb(A), [{ kind: "replace", data: v2, ignoreIfRange: true }, { kind: "multipart-etag" }]);
    const r = await fetchCmd(ws, server, ["--session-ids", A]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain("the object changed since the download began");
    const got = readFileSync(join(ws, "allen", nwb(A)));
    expect(sha(got)).toBe(sha(v2)); // the new version whole: not the old one's first 2 MB and the new one's rest
    const asked = server.requests(nwb(A));
    expect(asked.at(-1)!.range).toBeUndefined(); // the last request fetched it from byte 0
  }, 60_000);
});

describe("flow fetch writes only inside the cache folder", () => {
  it("a sessions.csv with an id that names a path elsewhere is refused, and nothing is written outside", async () => {
    const ws = pipelineWorkspace();
    const table = readFileSync(join(cache, "sessions.csv"), "utf8").trim().split("\n");
    const evil = [table[0], ...table.slice(1), table[1]!.replace(/^\d+/, "x/../../../../esc")].join("\n") + "\n";
    server.faults.set("sessions.csv", [{ kind: "replace", data: Buffer.from(evil) }]);
    const r = await fetchCmd(ws, server, []);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`has value "x/../../../../esc", which cannot name a node or a path`);
    expect(existsSync(join(ws, "esc"))).toBe(false);
    expect(existsSync(join(dirname(ws), "esc"))).toBe(false);
    expect(readdirSync(join(ws, "allen")).filter((f) => f.startsWith("session_"))).toEqual([]);
  }, 60_000);
});

describe("flow fetch checks the tables it keeps", () => {
  it("an HTML page answered with 200 (a captive portal) is not kept as sessions.csv; one kept by an older fetch is fetched again", async () => {
    const ws = pipelineWorkspace();
    server.faults.set("sessions.csv", [{ kind: "body", text: "<html><body>Please log in to the hotel wifi</body></html>" }]);
    const r = await fetchCmd(ws, server, ["--session-ids", A]);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain(`${server.url}sessions.csv: refused: it is an HTML page, not a CSV table (a captive portal`);
    expect(r.stderr).toContain("open the source URL in a browser, then run again");
    expect(existsSync(join(ws, "allen", "sessions.csv"))).toBe(false);
    // the same page kept under the name by an earlier flow: noticed, and fetched again
    writeFileSync(join(ws, "allen", "sessions.csv"), "<html>portal</html>\n");
    const again = await fetchCmd(ws, server, ["--session-ids", A]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain("sessions.csv here is not a valid table");
    expect(readFileSync(join(ws, "allen", "sessions.csv"), "utf8")).toBe(readFileSync(join(cache, "sessions.csv"), "utf8"));
  }, 60_000);

  it("a byte order mark is stripped; a redirect is followed and recorded", async () => {
    // a bucket of its own: the example cache's tables, and sessions.csv moved elsewhere
    const root = tempDir("flow-bucket-");
    for (const t of ["manifest.json", "sessions.csv", "probes.csv", "channels.csv", "units.csv"]) symlinkSync(join(cache, t), join(root, t));
    mkdirSync(join(root, "moved"));
    symlinkSync(join(cache, "sessions.csv"), join(root, "moved", "sessions.csv"));
    mkdirSync(join(root, `session_${A}`));
    symlinkSync(join(cache, nwb(A)), join(root, nwb(A)));
    const bucket = await new BucketServer(root).start();
    try {
      const ws = pipelineWorkspace();
      const text = readFileSync(join(cache, "sessions.csv"), "utf8");
      bucket.faults.set("sessions.csv", [{ kind: "redirect", to: "moved/sessions.csv" }]);
      bucket.faults.set("moved/sessions.csv", [{ kind: "body", text: `\ufeff${text}`, type: "text/csv" }]);
      const r = await fetchCmd(ws, bucket, ["--session-ids", A]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(readFileSync(join(ws, "allen", "sessions.csv"), "utf8")).toBe(text);
      const prov = readFileSync(join(ws, "allen", "fetch-provenance.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(prov.find((p) => p.path === "sessions.csv").redirected_to).toBe(`${bucket.url}moved/sessions.csv`);
    } finally {
      await bucket.stop();
    }
  }, 60_000);
});

describe("flow fetch on a slow or absent server", () => {
  it("a trickle (1 byte every 0.5 s) is a stall: dropped and retried, not waited on forever", async () => {
    const ws = pipelineWorkspace();
    server.faults.set(nwb(A), [{ kind: "slow", rate: 2, piece: 1, once: true }]);
    const r = await fetchCmd(ws, server, ["--session-ids", A], { FLOW_FETCH_STALL_WINDOW_MS: "1500", FLOW_FETCH_MIN_RATE: "1000" });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/session_715093703\.nwb: stalled: \d+ bytes in the last \d+ s \(less than 1000 bytes\/s\) at byte \d+ of \d+; retry 1/);
    expect(sha(readFileSync(join(ws, "allen", nwb(A))))).toBe(sha(readFileSync(join(cache, nwb(A)))));
  }, 60_000);

  it("a refused connection is one error, after a few quick tries", async () => {
    const ws = tempDir();
    const dead = "http://127.0.0.1:1/visual-coding-neuropixels/ecephys-cache/";
    const r = await execa(process.execPath, [FLOW, "fetch", join(ws, "allen"), dead, "--session-ids", A], {
      cwd: pipelineWorkspace(),
      reject: false,
      env: { ...process.env, FLOW_FETCH_BACKOFF_MS: "1000" },
    });
    expect(r.exitCode).toBe(3);
    const said = r.stderr.split("\n").filter((l) => l.startsWith("flow: "));
    expect(said).toEqual([
      `flow: flow fetch: ${dead}…: connection refused (gave up after 3 attempts: is the source URL right, and the server up?) (4 files)`,
    ]);
  }, 60_000);
});

describe.skipIf(!canMountTmpfs())("flow fetch on a nearly full disk", () => {
  it("parallel downloads reserve their space: one that fits finishes, the other is refused before writing", async () => {
    const ws = pipelineWorkspace();
    const disk = join(ws, "allen");
    mkdirSync(disk);
    const tables = ["manifest.json", "sessions.csv", "probes.csv", "channels.csv", "units.csv"].reduce(
      (a, t) => a + statSync(join(cache, t)).size,
      0,
    );
    const [a, c] = [statSync(join(cache, nwb(A))).size, statSync(join(cache, nwb(C))).size];
    // room for the tables and the larger file, and half the smaller: one fits, not both
    const size = Math.ceil((tables + Math.max(a, c) + 0.5 * Math.min(a, c) + 2_000_000) / 4096) * 4096;
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", disk]);
    try {
      server.faults.set(nwb(A), [{ kind: "slow", rate: 40_000_000 }]); // both in flight at once
      server.faults.set(nwb(C), [{ kind: "slow", rate: 40_000_000 }]);
      const r = await fetchCmd(ws, server, ["--session-ids", `${A},${C}`, "--connections", "2"]);
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toMatch(/not enough space in .*: [0-9.]+ MB needed, [0-9.]+ MB free/);
      const done = [A, C].filter((id) => existsSync(join(disk, nwb(id))));
      expect(done).toHaveLength(1); // one finished (it was not starved by the other)
      for (const id of done) expect(sha(readFileSync(join(disk, nwb(id))))).toBe(sha(readFileSync(join(cache, nwb(id)))));
    } finally {
      execFileSync("umount", [disk]);
    }
  }, 60_000);
});
