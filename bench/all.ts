// npm run bench: every benchmark, in order (each also runs alone: node bin/run-ts.js bench/<name>.ts).
import { execFileSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { fullSession } from "./full-session.js";
import { kernel } from "./kernel.js";
import { noop } from "./noop.js";
import { example } from "./example.js";
import { compression } from "./compression.js";
import { dataset } from "./dataset.js";

console.log(
  `flow benchmarks — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
);
try {
  console.log(execFileSync("git", ["log", "-1", "--format=commit %h"]).toString().trim());
} catch {
  /* not a checkout */
}
await example();
await fullSession();
await kernel();
await noop();
await compression();
await dataset();
