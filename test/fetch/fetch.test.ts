// Fetching the Allen cache from its bucket, against a real HTTP server on
// 127.0.0.1 that serves the synthetic example cache in the bucket's layout and injects
// faults: dropped connections, 503s, short bodies, corrupt bytes, a kill -9 of flow.
import { describe, expect, inject, it } from "vitest";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { BucketServer, useBucketServer } from "./server.js";
import { FLOW, canMountTmpfs, flow, pipelineWorkspace, runJson } from "../rig.js";

const cache = inject("exampleCache");
const TABLES = ["manifest.json", "sessions.csv", "probes.csv", "channels.csv", "units.csv"];
const nwb = (id: string) => `session_${id}/session_${id}.nwb`;
const [A, B, C] = ["715093703", "719161530", "766640955"];
const md5 = (f: string) => createHash("md5").update(readFileSync(f)).digest("hex");
const same = (dir: string, rel: string) => readFileSync(join(dir, rel)).equals(readFileSync(join(cache, rel)));
const provenance = (dir: string) =>
  readFileSync(join(dir, "fetch-provenance.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
const sha256 = (f: string) => createHash("sha256").update(readFileSync(f)).digest("hex");
/** the digest notes flow fetch left in a folder: file name → sha256 (engine/hash/digest-notes.ts) */
const notes = (folder: string) => {
  const f = join(folder, ".flow-digests.jsonl");
  if (!existsSync(f)) return {};
  return Object.fromEntries(
    readFileSync(f, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .map((n) => [n.name, n.sha256]),
  );
};
const env = { FLOW_FETCH_BACKOFF_MS: "20" };
const fetchCmd = (ws: string, server: BucketServer, ...args: string[]) =>
  execa(process.execPath, [FLOW, "fetch", "allen", server.url, ...args], { cwd: ws, reject: false, env: { ...process.env, ...env } });

let server: BucketServer;
useBucketServer(cache, (s) => (server = s));

describe("flow run --set allen_source=URL", () => {
  it("fetches the chosen sessions byte for byte, processes exactly them, and a second run sends no request", async () => {
    const ws = pipelineWorkspace();
    const sets = ["--set", "allen_cache=allen", "--set", `allen_source=${server.url}`, "--set", `session_ids=[${A},${C}]`];
    const before = server.log.length;
    const st = await flow(ws, "status", ...sets);
    expect(st.code).toBe(0);
    expect(st.stdout).toContain("sessions.csv, then the sessions it lists");
    expect(server.log.length).toBe(before); // status never touches the network

    const r = await runJson(ws, ...sets);
    expect(r.code, r.stderr).toBe(0);
    const dir = join(ws, "allen");
    for (const rel of [...TABLES, nwb(A), nwb(C)]) expect(same(dir, rel), rel).toBe(true);
    expect(existsSync(join(dir, nwb(B)))).toBe(false);
    expect(readdirSync(join(ws, "data/01_sessions")).sort()).toEqual([`session_${A}`, `session_${C}`]);
    expect(r.summary.failed).toEqual([]);
    expect(r.summary.ran.filter((id) => id.startsWith("bin[")).length).toBe(2 * 10);
    // provenance: the remote identity of every file
    const prov = provenance(dir);
    expect(prov.map((p) => p.path).sort()).toEqual([...TABLES, nwb(A), nwb(C)].sort());
    for (const p of prov) {
      expect(p.url).toBe(server.url + p.path);
      expect(p.size).toBe(statSync(join(cache, p.path)).size);
      expect(p.etag).toBe(`"${md5(join(cache, p.path))}"`);
      expect(p.md5).toBe(md5(join(cache, p.path)));
      expect(p.last_modified).toMatch(/GMT$/);
    }
    expect(readdirSync(join(dir, `session_${A}`)).sort()).toEqual([".flow-digests.jsonl", `session_${A}.nwb`]); // no partial left
    // each verified file's sha256, noted for the run (which took it: its records show the same digest)
    for (const id of [A, C]) expect(notes(join(dir, `session_${id}`))).toEqual({ [`session_${id}.nwb`]: sha256(join(cache, nwb(id))) });
    const inputHashes = readFileSync(join(ws, "cache/records", readdirSync(join(ws, "cache/records"))[0]!), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .flatMap((rec) => rec.inputs.filter((i: { path: string }) => i.path.endsWith(`session_${A}.nwb`)).map((i: { hash: string }) => i.hash));
    expect(new Set(inputHashes)).toEqual(new Set([sha256(join(cache, nwb(A)))]));

    const n = server.log.length;
    const again = await runJson(ws, ...sets);
    expect(again.code).toBe(0);
    expect(again.summary.ran).toEqual([]);
    expect(server.log.length).toBe(n);

    // one more session asked for: status names it as missing, still without a request
    const more = await flow(
      ws,
      "status",
      "--set",
      "allen_cache=allen",
      "--set",
      `allen_source=${server.url}`,
      "--set",
      `session_ids=[${A},${B},${C}]`,
    );
    expect(more.code).toBe(0);
    expect(more.stdout).toContain(`1 session missing locally (${B})`);
    const fc = await flow(
      ws,
      "status",
      "--set",
      "allen_cache=allen",
      "--set",
      `allen_source=${server.url}`,
      "--set",
      "session_types=[functional_connectivity]",
    );
    expect(fc.stdout).toContain("1 session missing locally (767871931)"); // C is one of the two; A and B are brain_observatory_1.1
    expect(server.log.length).toBe(n);
    // and without a source, a listed session that is missing is named, never left out
    const off = await flow(ws, "status", "--set", "allen_cache=allen", "--set", `session_ids=[${A},${B}]`);
    expect(off.code).toBe(0);
    expect(off.stdout).toMatch(new RegExp(`presentations\\[session=${B}\\]\\s+input file missing: .*${nwb(B)}`));
  }, 180_000);
});

describe("flow fetch survives a bad network", () => {
  it("resumes a dropped connection with Range, retries 503s and short bodies, and accepts a multipart ETag by size", async () => {
    const ws = pipelineWorkspace();
    server.faults.set("sessions.csv", [{ kind: "status", code: 503 }]);
    server.faults.set(nwb(A), [{ kind: "drop", after: 1_000_000 }]);
    server.faults.set(nwb(B), [
      { kind: "status", code: 503 },
      { kind: "status", code: 503 },
    ]);
    server.faults.set(nwb(C), [{ kind: "short", bytes: 500_000 }, { kind: "multipart-etag" }]);
    try {
      const r = await fetchCmd(ws, server, "--session-ids", `${A},${B},${C}`);
      expect(r.exitCode, r.stderr).toBe(0);
      const dir = join(ws, "allen");
      for (const rel of [...TABLES, nwb(A), nwb(B), nwb(C)]) expect(same(dir, rel), rel).toBe(true);
      const size = (rel: string) => statSync(join(cache, rel)).size;
      // the drop: the second request continues from what reached the disk (the bytes in
      // flight when the connection broke are lost, as on a real network)
      const a = server.requests(nwb(A));
      expect(a.length).toBe(2);
      const from = Number(/^bytes=(\d+)-$/.exec(a[1]!.range ?? "")?.[1]);
      expect(from).toBeGreaterThan(0);
      expect(from).toBeLessThanOrEqual(1_000_000);
      expect(a[1]!.bytes).toBe(size(nwb(A)) - from);
      expect(server.requests(nwb(B)).map((q) => q.status)).toEqual([503, 503, 200]);
      const c = server.requests(nwb(C));
      expect(c.length).toBe(2);
      const fromC = Number(/^bytes=(\d+)-$/.exec(c[1]!.range ?? "")?.[1]);
      expect(fromC).toBeGreaterThan(0);
      expect(fromC).toBeLessThanOrEqual(500_000);
      expect(c[1]!.bytes).toBe(size(nwb(C)) - fromC);
      expect(server.requests("sessions.csv").map((q) => q.status)).toEqual([503, 200]);
      const prov = provenance(dir);
      expect(prov.find((p) => p.path === nwb(C)).md5).toBe(null); // not an MD5 ETag: checked by size
      expect(prov.find((p) => p.path === nwb(A))).toMatchObject({ resumed_from: from, attempts: 2, md5: md5(join(cache, nwb(A))) });
      // the resumed file's note covers the bytes kept before the drop; no MD5, no note
      expect(notes(join(dir, `session_${A}`))).toEqual({ [`session_${A}.nwb`]: sha256(join(cache, nwb(A))) });
      expect(notes(join(dir, `session_${C}`))).toEqual({});
      expect(r.stderr).toMatch(/retry 1/);
    } finally {
      server.faults.clear();
    }
  }, 120_000);

  it("refuses a corrupt transfer and a body that stays short, naming the URL; complete files are kept", async () => {
    const ws = pipelineWorkspace();
    server.faults.set(
      nwb(A),
      Array.from({ length: 5 }, () => ({ kind: "corrupt" as const })),
    );
    try {
      const r = await fetchCmd(ws, server, "--session-ids", A, "--retries", "2");
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toContain(`${server.url}${nwb(A)}: corrupt transfer: MD5`);
      expect(r.stderr).toContain("gave up after 3 attempts");
      expect(existsSync(join(ws, "allen", nwb(A)))).toBe(false);
      expect(readdirSync(join(ws, "allen", `session_${A}`))).toEqual([]); // the bad bytes are gone too
      for (const t of TABLES) expect(same(join(ws, "allen"), t), t).toBe(true);
    } finally {
      server.faults.clear();
    }
    server.faults.set(
      nwb(A),
      Array.from({ length: 5 }, () => ({ kind: "short" as const, bytes: 0 })),
    );
    try {
      const r = await fetchCmd(ws, server, "--session-ids", A, "--retries", "2");
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toContain(`${server.url}${nwb(A)}: connection`);
      expect(r.stderr).toMatch(/at byte 0 of \d+/);
      expect(existsSync(join(ws, "allen", nwb(A)))).toBe(false);
    } finally {
      server.faults.clear();
    }
  }, 60_000);

  it("a 404 and an unreachable source are one error naming the URL, with a non-zero exit", async () => {
    const ws = pipelineWorkspace();
    server.faults.set(nwb(B), [{ kind: "status", code: 404 }]);
    try {
      const r = await fetchCmd(ws, server, "--session-ids", `${A},${B}`, "--connections", "1");
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toContain(`${server.url}${nwb(B)}: 404 Not Found`);
      expect(server.requests(nwb(B)).length).toBe(1); // a 404 is final: no retry
      expect(same(join(ws, "allen"), nwb(A))).toBe(true); // fetched before the failure: kept
    } finally {
      server.faults.clear();
    }
    const dead = "http://127.0.0.1:1/visual-coding-neuropixels/ecephys-cache/";
    const r = await execa(
      process.execPath,
      [FLOW, "run", "--set", "allen_cache=elsewhere", "--set", `allen_source=${dead}`, "--set", `session_ids=[${A}]`],
      { cwd: ws, reject: false, env: { ...process.env, ...env } },
    );
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain(`${dead}…: connection refused (gave up after 3 attempts`);
    expect(existsSync(join(ws, "elsewhere", "sessions.csv"))).toBe(false);
  }, 60_000);

  it("resumes after flow is killed with SIGKILL mid-file, without fetching again what it had", async () => {
    const ws = pipelineWorkspace();
    const size = statSync(join(cache, nwb(A))).size;
    // slow enough (13 MB at 1 MB/s) that the second fetch below (a Node start-up, slow
    // on a loaded machine) is refused while the first is still mid-file
    server.faults.set(nwb(A), [{ kind: "slow", rate: 1_000_000 }]);
    const child = fetchCmd(ws, server, "--session-ids", A);
    const t0 = Date.now();
    while (server.bytesSent(nwb(A)) < 2_000_000 && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 50));
    // a second fetch into the same folder meanwhile is refused, not interleaved
    const second = await fetchCmd(ws, server, "--session-ids", A);
    expect(second.exitCode).toBe(3);
    expect(second.stderr).toContain(`is locked by 'flow fetch'`);
    expect(second.stderr).toContain(join(ws, "allen", ".fetch.lock"));
    child.kill("SIGKILL");
    const killed = await child;
    expect(killed.signal).toBe("SIGKILL");
    server.faults.clear();
    const dir = join(ws, "allen");
    expect(existsSync(join(dir, nwb(A)))).toBe(false); // never a partial file under the final name
    const part = statSync(join(dir, `${nwb(A)}.partial`)).size;
    expect(part).toBeGreaterThan(0);
    expect(part).toBeLessThan(size);

    const r = await fetchCmd(ws, server, "--session-ids", A);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(same(dir, nwb(A))).toBe(true);
    const last = server.requests(nwb(A)).at(-1)!;
    expect(last.range).toBe(`bytes=${part}-`);
    expect(last.bytes).toBe(size - part);
    expect(readdirSync(join(dir, `session_${A}`)).sort()).toEqual([".flow-digests.jsonl", `session_${A}.nwb`]);
    // after the kill, the note still covers every byte: the ones kept and the ones fetched on resume
    expect(notes(join(dir, `session_${A}`))).toEqual({ [`session_${A}.nwb`]: sha256(join(cache, nwb(A))) });
  }, 60_000);

  it.skipIf(!canMountTmpfs())(
    "checks the free space against Content-Length before writing a byte",
    async () => {
      const ws = pipelineWorkspace();
      const disk = join(ws, "allen");
      mkdirSync(disk);
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", disk]);
      try {
        const r = await fetchCmd(ws, server, "--session-ids", A);
        expect(r.exitCode).toBe(3);
        expect(r.stderr).toMatch(new RegExp(`${nwb(A)}: not enough space in .*allen/session_${A}: [0-9.]+ MB needed, [0-9.]+ MB free`));
        expect(readdirSync(join(disk, `session_${A}`))).toEqual([]);
        for (const t of TABLES) expect(same(disk, t), t).toBe(true);
      } finally {
        execFileSync("umount", [disk]);
      }
    },
    60_000,
  );
});
