// The cache's tables are checked before they get their name: manifest.json must be JSON
// (AllenSDK's manifest), each CSV must start with the header AllenSDK writes. A captive
// portal or a proxy answers 200 with an HTML page: kept as sessions.csv it would fail
// every later run with "no column 'id'". A byte order mark is stripped.
import { readFileSync, writeFileSync } from "node:fs";

/** The columns each table must have (look up by name; the order is not checked). */
const REQUIRED: Record<string, string[]> = {
  "sessions.csv": ["id", "session_type"],
  "probes.csv": ["id", "ecephys_session_id"],
  "channels.csv": ["id", "ecephys_probe_id"],
  "units.csv": ["id", "ecephys_channel_id"],
};

const BOM = "\ufeff";

/** Why the file is not the table it should be, or undefined; a BOM is removed in place. */
export function tableProblem(name: string, path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    return `cannot read it (${(e as NodeJS.ErrnoException).code})`;
  }
  if (text.startsWith(BOM)) {
    text = text.slice(1);
    writeFileSync(path, text);
  }
  if (/^\s*</.test(text))
    return `it is an HTML page, not ${name.endsWith(".json") ? "JSON" : "a CSV table"} (a captive portal, a proxy's login or an error page?): open the source URL in a browser, then run again`;
  if (name === "manifest.json") {
    try {
      const m = JSON.parse(text);
      if (!m || !Array.isArray(m.manifest)) return "it is JSON, but not AllenSDK's manifest (no 'manifest' list)";
    } catch {
      return "it is not JSON";
    }
    return undefined;
  }
  const want = REQUIRED[name];
  if (!want) return undefined;
  const header = text
    .slice(0, text.indexOf("\n") >>> 0)
    .replace(/\r$/, "")
    .split(",");
  const missing = want.filter((c) => !header.includes(c));
  return missing.length ? `its header lacks ${missing.map((c) => `'${c}'`).join(", ")} (it starts: ${JSON.stringify(text.slice(0, 60))})` : undefined;
}
