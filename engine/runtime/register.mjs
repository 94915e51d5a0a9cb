// `node --import engine/runtime/register.mjs x.ts` runs TypeScript sources directly.
import { register } from "node:module";
register("./ts-hooks.mjs", import.meta.url);
