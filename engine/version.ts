// flow's version (package.json), in a module of its own: a worker that records it must
// not load the workspace, the index and its keyv clients to learn it.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const FLOW_VERSION: string = JSON.parse(readFileSync(fileURLToPath(new URL("../package.json", import.meta.url)), "utf8")).version;
