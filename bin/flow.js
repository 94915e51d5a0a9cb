#!/usr/bin/env node
// The `flow` command: registers the TypeScript loader, then hands over to the CLI.
import "../engine/runtime/register.mjs";
const { main } = await import("../engine/cli/main.ts");
const code = await main(process.argv.slice(2), undefined, { signals: true });
// Exit now: a cache client that is still reconnecting must not keep the process alive.
// (stdout and stderr are synchronous for files and pipes on Linux: nothing is lost.)
process.exit(code);
