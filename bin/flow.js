#!/usr/bin/env node
// The `flow` command: registers the TypeScript loader, then hands over to the CLI.
import "../engine/runtime/register.mjs";
const { main } = await import("../engine/cli/main.ts");
const code = await main(process.argv.slice(2), undefined, { signals: true });
// Exit once stdout and stderr are flushed (a pipe takes 64 KB at a time), not later: a
// cache client that is still reconnecting must not keep the process alive.
const flushed = (s) => new Promise((resolve) => s.write("", () => resolve()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
