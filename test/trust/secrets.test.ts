// Credentials never leak, and a shared index cannot be forged: against a real
// redis-server started with requirepass and a PostgreSQL role that must give its
// password (test/services/start.sh), and the real single-node SLURM cluster.
import { describe, expect, it } from "vitest";
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { execa } from "execa";
import Keyv from "keyv";
import { FLOW, read, tempDir, toyWorkspace } from "../rig.js";
import { ActionIndex } from "../../engine/cache/action-index.js";
import type { CacheEntry as IndexEntry } from "../../engine/cache/cache.js";

const urls: [string, string | undefined][] = [
  ["Redis with requirepass", process.env.FLOW_TEST_REDIS_PASSWORD_URL],
  ["PostgreSQL with a password", process.env.FLOW_TEST_POSTGRES_PASSWORD_URL],
];
for (const [name, u] of urls)
  if (!u) console.warn(`SKIPPED the secrets tests on ${name}: no server (.ci/run starts one with test/services/start.sh)`);
const redisUrl = process.env.FLOW_TEST_REDIS_PASSWORD_URL;
const slurm = !!process.env.FLOW_TEST_SLURM && (await execa("sinfo", ["-h"], { reject: false })).exitCode === 0;
if (!slurm) console.warn("SKIPPED the SLURM secrets test: no SLURM cluster here");

const passwordOf = (url: string) => decodeURIComponent(new URL(url).password);

const failing = {
  "tasks/upper.ts": `import { readFileSync, writeFileSync } from "node:fs";
export default { async run(ctx: any) {
  if (ctx.params.suffix === "fail") throw new Error("asked to fail");
  if (ctx.params.suffix === "slow") await new Promise((r) => setTimeout(r, 4000));
  writeFileSync(ctx.outputs.out, readFileSync(ctx.inputs.src, "utf8").toUpperCase() + ctx.params.suffix);
} };
`,
};

/** Every file under a folder whose bytes contain the text. */
function filesContaining(dir: string, text: string): string[] {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && readFileSync(p).includes(text)) hits.push(p);
    }
  };
  walk(dir);
  return hits;
}

const flowIn = (ws: string, args: string[], env: Record<string, string> = {}) =>
  execa(process.execPath, [FLOW, ...args], { cwd: ws, reject: false, env: { ...process.env, FORCE_COLOR: "0", FLOW_SLURM_POLL_MS: "300", ...env } });

describe.each(urls)("a password in the cache URL (%s) is never shown or kept", (_name, url) => {
  it.skipIf(!url)(
    "not by run, a failing run, status --json, log, log --runs, report, a refused password; not in any file",
    async () => {
      const pw = passwordOf(url!);
      expect(pw.length).toBeGreaterThan(8);
      const ws = toyWorkspace(failing);
      const tag = randomBytes(3).toString("hex");
      const printed: string[] = [];
      const call = async (args: string[], env?: Record<string, string>) => {
        const r = await flowIn(ws, args, env);
        printed.push(`${r.stdout}\n${r.stderr}`); // what flow printed (not what we typed)
        return r;
      };
      expect((await call(["run", "--json", "--cache-url", url!, "--set", `suffix=${tag}`])).exitCode).toBe(0);
      expect((await call(["run", "--set", "suffix=fail", "--keep-going"], { FLOW_CACHE_URL: url! })).exitCode).toBe(1);
      expect((await call(["status", "--json", "--cache-url", url!])).exitCode).toBe(0);
      expect((await call(["run", "--dry-run", "--json", "--cache-url", url!])).exitCode).toBe(0);
      expect((await call(["log", "--cache-url", url!])).exitCode).toBe(0);
      expect((await call(["log", "--runs", "--json", "--cache-url", url!])).exitCode).toBe(0);
      expect((await call(["log", "upper[name=a]", "--output", "--cache-url", url!])).exitCode).toBe(0);
      expect((await call(["report", "-o", "report.html", "--cache-url", url!])).exitCode).toBe(0);
      // a wrong password: the server refuses, and the message shows neither password
      const wrong = url!.replace(pw, `wrong${pw.slice(5)}`);
      const refused = await call(["status", "--cache-url", wrong]);
      expect(refused.exitCode).toBe(3);
      expect(refused.stderr).toContain("***@127.0.0.1");
      const all = printed.join("\n");
      expect(all).not.toContain(pw);
      expect(all).not.toContain(`wrong${pw.slice(5)}`);
      expect(all).toContain(`${url!.split(":")[0]}://***@127.0.0.1`); // the recorded command lines are there, redacted
      expect(filesContaining(ws, pw)).toEqual([]);
    },
    120_000,
  );
});

describe.skipIf(!redisUrl || !slurm)("a password in the cache URL of a SLURM run", () => {
  it("is in no job script, job name, argv (ps) or file", async () => {
    const pw = passwordOf(redisUrl!);
    const ws = toyWorkspace(failing);
    // the URL in the environment, as docs/cluster.md advises: then no process shows it at all
    const run = flowIn(ws, ["run", "--executor", "slurm", "--set", "suffix=slow"], { FLOW_CACHE_URL: redisUrl! });
    let seenRunning = false;
    const argvs: string[] = [];
    for (let i = 0; i < 200 && !seenRunning; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const ps = (await execa("ps", ["-eo", "args"])).stdout;
      argvs.push(ps);
      seenRunning = ps.includes("node-run");
    }
    expect(seenRunning).toBe(true);
    const jobs = (await execa("scontrol", ["show", "jobs", "-o"], { reject: false })).stdout;
    const r = await run;
    expect(r.exitCode, r.stderr).toBe(0);
    expect(`${r.stdout}${r.stderr}`).not.toContain(pw);
    expect(argvs.join("\n")).not.toContain(pw);
    expect(jobs).not.toContain(pw);
    expect(filesContaining(ws, pw)).toEqual([]); // .flow/slurm job scripts, specs, logs; cache; outputs
    expect(read(ws, "out/a.up")).toBe("ALPHA\nslow");
  }, 180_000);
});

/** A node's key and output hashes, from the workspace state of the run that made it. */
function stateOf(ws: string, id: string): { key: string; outputs: IndexEntry["outputs"] } {
  const lines = readFileSync(join(ws, ".flow/state.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  return lines.filter((l) => l.id === id).pop();
}

describe.skipIf(!redisUrl)("with a lab secret, a forged index entry is refused and the node recomputed", () => {
  const secret = "lab-secret-" + randomBytes(12).toString("hex");

  it("an entry written straight into Redis, or signed with another secret, is ignored with a warning naming the node", async () => {
    const tag = `!${randomBytes(4).toString("hex")}`; // keys unique to this test
    const env = { FLOW_CACHE_SECRET: secret, FLOW_CACHE_DIR: tempDir("flow-lab-cache-") }; // one object store for the lab
    const first = toyWorkspace();
    const r = await flowIn(first, ["run", "--json", "--cache-url", redisUrl!, "--set", `suffix=${tag}`], env);
    expect(r.exitCode, r.stderr).toBe(0);
    const a = stateOf(first, "upper[name=a]"),
      b = stateOf(first, "upper[name=b]");
    const forge = async (entry: IndexEntry) => {
      const kv = new Keyv<IndexEntry>({ store: new (await import("@keyv/redis")).default(redisUrl!), namespace: "flow" });
      await kv.set(a.key, entry);
      await kv.disconnect();
    };
    // 1. a's key pointed at b's real, intact object, written straight into Redis
    await forge({ outputs: b.outputs, node: "upper[name=a]", at: new Date().toISOString() });
    const second = toyWorkspace();
    const r2 = await flowIn(second, ["run", "--json", "--cache-url", redisUrl!, "--set", `suffix=${tag}`], env);
    expect(r2.exitCode, r2.stderr).toBe(0);
    expect(r2.stderr).toContain("upper[name=a]: its cache index entry has no signature (FLOW_CACHE_SECRET) — ignored; the node is recomputed");
    const s2 = JSON.parse(r2.stdout.trim().split("\n").pop()!);
    expect(s2.ran).toContain("upper[name=a]");
    expect(s2.restored).toContain("upper[name=b]");
    expect(read(second, "out/a.up")).toBe(`ALPHA\n${tag}`);
    // 2. signed, but with another secret
    const other = await ActionIndex.open({ dir: "/nonexistent", url: redisUrl, timeoutMs: 5000, secret: Buffer.from("another-secret-of-16+chars") });
    await other.set(a.key, { outputs: b.outputs, node: "upper[name=a]", at: new Date().toISOString() });
    await other.close();
    const third = toyWorkspace();
    const r3 = await flowIn(third, ["run", "--json", "--cache-url", redisUrl!, "--set", `suffix=${tag}`], env);
    expect(r3.stderr).toContain("upper[name=a]: its cache index entry has an invalid signature");
    expect(read(third, "out/a.up")).toBe(`ALPHA\n${tag}`);
    // 3. without the secret the same forgery is believed: what the threat model in docs/guarantees.md says
    await forge({ outputs: b.outputs, node: "upper[name=a]", at: new Date().toISOString() });
    const trusting = toyWorkspace();
    const r4 = await flowIn(trusting, ["run", "--json", "--cache-url", redisUrl!, "--set", `suffix=${tag}`], { FLOW_CACHE_DIR: env.FLOW_CACHE_DIR });
    expect(r4.exitCode).toBe(0);
    expect(read(trusting, "out/a.up")).toBe(`BETA\n${tag}`);
  }, 120_000);
});

describe("the lab secret itself", () => {
  it("a secret that is too short, or a key file that cannot be read, is refused before anything runs", async () => {
    const ws = toyWorkspace();
    const short = await flowIn(ws, ["status"], { FLOW_CACHE_SECRET: "short" });
    expect(short.exitCode).toBe(2);
    expect(short.stderr).toContain("FLOW_CACHE_SECRET is too short (5 characters)");
    const missing = await flowIn(ws, ["status"], { FLOW_CACHE_SECRET_FILE: join(ws, "no-such-key") });
    expect(missing.exitCode).toBe(3);
    expect(missing.stderr).toContain(`FLOW_CACHE_SECRET_FILE (${join(ws, "no-such-key")}): cannot read the key file (ENOENT)`);
  });

  it("a secret that is set but empty or blank is an error, never signing turned off; 16 spaces is not a secret", async () => {
    const ws = toyWorkspace();
    const key = join(ws, "key");
    writeFileSync(key, ""); // a touched file never filled
    const empty = await flowIn(ws, ["status"], { FLOW_CACHE_SECRET_FILE: key });
    expect(empty.exitCode).toBe(2);
    expect(empty.stderr).toContain(`FLOW_CACHE_SECRET_FILE (${key}) is set but empty`);
    writeFileSync(key, "   \n\t\n"); // a failed $(openssl rand …)
    const blank = await flowIn(ws, ["run"], { FLOW_CACHE_SECRET_FILE: key });
    expect(blank.exitCode).toBe(2);
    expect(blank.stderr).toContain(`FLOW_CACHE_SECRET_FILE (${key}) is set but blank`);
    expect((await flowIn(ws, ["status"], { FLOW_CACHE_SECRET: "" })).stderr).toContain("FLOW_CACHE_SECRET is set but empty");
    expect((await flowIn(ws, ["status"], { FLOW_CACHE_SECRET: " ".repeat(16) })).stderr).toContain("FLOW_CACHE_SECRET is set but blank");
    expect((await flowIn(ws, ["status"], { FLOW_CACHE_SECRET: "a".repeat(20) })).stderr).toContain("FLOW_CACHE_SECRET is not a secret");
    expect(existsSync(join(ws, "out"))).toBe(false); // nothing ran
  });

  it("a key file others can read gets a warning; a rotated secret warns once, with a count", async () => {
    const ws = toyWorkspace({ "in/c.txt": "gamma\n", "in/d.txt": "delta\n" });
    const key = join(ws, "key");
    writeFileSync(key, `first-${randomBytes(12).toString("hex")}\n`);
    chmodSync(key, 0o644);
    const r = await flowIn(ws, ["run"], { FLOW_CACHE_SECRET_FILE: key });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain(`FLOW_CACHE_SECRET_FILE (${key}): the key file is readable by its group and others (mode 644): 'chmod 600 ${key}'`);
    chmodSync(key, 0o600);
    writeFileSync(key, `second-${randomBytes(12).toString("hex")}\n`); // the lab rotates its secret
    const fresh = toyWorkspace({ "in/c.txt": "gamma\n", "in/d.txt": "delta\n" });
    const again = await flowIn(fresh, ["run"], { FLOW_CACHE_SECRET_FILE: key, FLOW_CACHE_DIR: join(ws, "cache") });
    expect(again.exitCode).toBe(0);
    const warnings = again.stderr.split("\n").filter((l) => l.includes("signature"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /its cache index entry has an invalid signature \(FLOW_CACHE_SECRET\) — ignored; the node is recomputed \(and 4 more nodes whose cache entries were refused/,
    );
    expect(again.stderr).not.toContain("readable by");
  });

  it("with a file index too: entries are signed, and an unsigned one is recomputed", async () => {
    const ws = toyWorkspace();
    const secret = "file-index-secret-" + randomBytes(8).toString("hex");
    expect((await flowIn(ws, ["run"])).exitCode).toBe(0); // unsigned entries
    const fresh = toyWorkspace();
    const r = await flowIn(fresh, ["run", "--json", "--cache-dir", join(ws, "cache")], { FLOW_CACHE_SECRET: secret });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout.trim().split("\n").pop()!).restored).toEqual([]);
    expect(r.stderr).toContain("its cache index entry has no signature");
    const again = toyWorkspace();
    const r2 = await flowIn(again, ["run", "--json", "--cache-dir", join(ws, "cache")], { FLOW_CACHE_SECRET: secret });
    expect(JSON.parse(r2.stdout.trim().split("\n").pop()!).restored.sort()).toEqual(["concat", "upper[name=a]", "upper[name=b]"]);
    expect(r2.stderr).not.toContain("signature");
  });
});
