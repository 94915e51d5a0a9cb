// The order test files start in. With two workers the suite's wall time is set by the
// files that start last: vitest starts the longest first only when it has a cache of
// earlier runs, and CI starts from a clean clone, where it went by file size and started
// the 2-minute kill stress after everything else. So the files measured slowest (in
// .ci/run, with the services) start first, in this order; the rest follow vitest's own.
import { BaseSequencer, type TestSpecification } from "vitest/node";

export const SLOWEST_FIRST = [
  "test/reliability/kill.test.ts",
  "test/slurm/slurm-scale.test.ts",
  "test/slurm/slurm.test.ts",
  "test/trust/secrets.test.ts",
  "test/shared-cache/shared-cache.test.ts",
  "test/pipeline/pipeline-engine.test.ts",
  "test/reliability/bad-input.test.ts",
  "test/fetch/fetch.test.ts",
];

export default class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = SLOWEST_FIRST.findIndex((p) => f.moduleId.endsWith(p));
      return i < 0 ? SLOWEST_FIRST.length : i;
    };
    const rest = await super.sort(files.filter((f) => rank(f) === SLOWEST_FIRST.length));
    return [...files.filter((f) => rank(f) < SLOWEST_FIRST.length).sort((a, b) => rank(a) - rank(b)), ...rest];
  }
}
