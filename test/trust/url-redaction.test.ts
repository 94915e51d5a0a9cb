// A password in a cache URL is never shown, whatever it holds: everything between :// and
// the URL's last @ is credentials. A URL that does not parse (a password with / ? # or a
// bad % escape that nobody percent-encoded) is one usage error with a hint — never a
// client library's crash (exit 70), never the password in clear.
import { describe, it, expect } from "vitest";
import { execa } from "execa";
import { FLOW, toyWorkspace } from "../rig.js";
import { redactText, redactUrl, redactValue } from "../../engine/host/redact.js";

const secret = "s3cr3t";
const urls = [
  `postgresql://lab:${secret}/x+y==@db.example:5432/flow`, // openssl rand -base64 makes '/'
  `redis://:${secret}#frag@cache.example:6379`,
  `redis://:${secret}?q@cache.example:6379`,
  `redis://:${secret}%zz@cache.example:6379`,
  `redis://user@name:${secret}@cache.example:6379/0`,
];

describe("credentials in URLs", () => {
  it("are everything between :// and the last @, in every shape", () => {
    for (const u of urls) {
      expect(redactUrl(u)).not.toContain(secret);
      expect(redactUrl(u)).toMatch(/^[a-z]+:\/\/\*\*\*@[a-z.]+:\d+/);
      expect(redactText(`could not connect to ${u} (refused)`)).not.toContain(secret);
      expect(redactValue({ argv: ["run", "--cache-url", u] })).toEqual({ argv: ["run", "--cache-url", redactUrl(u)] });
    }
    expect(redactText(`auth failed for ${secret}xy`, `redis://:${secret}xy@h:1`)).toBe("auth failed for ***");
  });

  it("a URL that does not parse is a usage error with a hint to percent-encode, naming the URL redacted", async () => {
    const ws = toyWorkspace();
    for (const u of urls.slice(0, 4)) {
      for (const how of [["--cache-url", u], []]) {
        const r = await execa(process.execPath, [FLOW, "status", ...how], { cwd: ws, reject: false, env: { ...process.env, FLOW_CACHE_URL: u } });
        expect(r.exitCode, r.stderr).toBe(2);
        expect(r.stderr).toMatch(/percent-encode special characters in the user name and password \(\/ → %2F/);
        expect(r.stderr).toContain("***@");
        expect(`${r.stdout}${r.stderr}`).not.toContain(secret);
      }
    }
  });
});
