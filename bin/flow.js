#!/usr/bin/env node
// The `flow` command: registers the TypeScript loader, then hands over to the CLI.
import "../engine/runtime/register.mjs";
const { main } = await import("../engine/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
