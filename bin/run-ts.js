#!/usr/bin/env node
// Runs one TypeScript file with the project's loader: `node bin/run-ts.js bench/all.ts`.
import "../engine/runtime/register.mjs";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
const [file, ...rest] = process.argv.slice(2);
process.argv = [process.argv[0], resolve(file), ...rest];
await import(pathToFileURL(resolve(file)).href);
