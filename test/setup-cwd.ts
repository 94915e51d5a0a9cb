// Test files share a process (vitest's isolate: false): a test that leaves the working
// directory elsewhere would move every later file's relative paths. Each test must end
// where it started; one that does not is named and the folder restored.
import { afterEach, expect } from "vitest";

const start = process.cwd();
afterEach(() => {
  const now = process.cwd();
  if (now === start) return;
  process.chdir(start);
  console.warn(`test setup: "${expect.getState().currentTestName}" left the working directory at ${now}; restored ${start}`);
});
