// `node --import engine/runtime/register.mjs x.ts` runs TypeScript sources directly, and
// reports errors at the lines of the sources (their inline source maps).
import { register } from "node:module";
process.setSourceMapsEnabled(true);
register("./ts-hooks.mjs", import.meta.url);
