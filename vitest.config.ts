import { defineConfig } from "vitest/config";
import SlowestFirst from "./test/sequencer.js";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    setupFiles: ["test/setup-cwd.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: "forks",
    // 2 cores: more parallel files only thrash. isolate: false — a fork runs file after
    // file without re-importing vitest and the engine (~0.7 s of CPU a file) and keeps its
    // worker pool for the repository's pipeline (test/rig.ts); no test relies on a fresh
    // module state (the rig restores the working directory after every call).
    poolOptions: { forks: { maxForks: 2, minForks: 1, isolate: false } },
    sequence: { sequencer: SlowestFirst },
  },
});
