// Every § reference in the code and the README resolves to a section of a document in
// docs/ (the documents the code cites are in the repository), and every file of the
// repository the README and docs/ name is there.
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync, existsSync } from "node:fs";
import { join, relative } from "node:path";
import { REPO } from "../rig.js";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : /\.(ts|mjs|md)$/.test(f) ? [p] : [];
  });
}

describe("documents cited in the code", () => {
  it("every § names a docs/ file, and that file has the section", () => {
    const files = [join(REPO, "README.md"), ...sources(join(REPO, "engine")), ...sources(join(REPO, "tasks"))];
    let refs = 0;
    for (const f of files) {
      readFileSync(f, "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (!line.includes("§")) return;
          const where = `${relative(REPO, f)}:${i + 1}`;
          const doc = /(docs\/[a-z0-9-]+\.md)/.exec(line)?.[1];
          expect(doc, `${where}: a § without the document it is in`).toBeDefined();
          expect(existsSync(join(REPO, doc!)), `${where}: ${doc} is not in the repository`).toBe(true);
          const headings = readFileSync(join(REPO, doc!), "utf8")
            .split("\n")
            .filter((l) => l.startsWith("#"));
          for (const m of line.matchAll(/§(\d+(?:\.\d+)?)/g)) {
            refs++;
            const n = m[1]!;
            expect(
              headings.some((h) => new RegExp(`^#+ ${n.replace(".", "\\.")}[. ]`).test(h)),
              `${where}: ${doc} has no section ${n}`,
            ).toBe(true);
          }
        });
    }
    expect(refs).toBeGreaterThan(15);
  });

  it("every repository file the README and docs/ name exists", () => {
    const docs = [
      join(REPO, "README.md"),
      ...readdirSync(join(REPO, "docs"))
        .filter((f) => f.endsWith(".md"))
        .map((f) => join(REPO, "docs", f)),
    ];
    let named = 0;
    for (const d of docs) {
      // examples in fenced code blocks name files of the reader's own pipeline
      const prose = readFileSync(d, "utf8").replace(/```[\s\S]*?```/g, "");
      for (const m of prose.matchAll(/\b((?:engine|tasks|test|bench|schemas|examples)\/[A-Za-z0-9_./-]+\.(?:ts|mjs|cjs|json|py|yaml))\b/g)) {
        named++;
        expect(existsSync(join(REPO, m[1]!)), `${relative(REPO, d)} names ${m[1]}, which is not in the repository`).toBe(true);
      }
    }
    expect(named).toBeGreaterThan(40);
  });
});
