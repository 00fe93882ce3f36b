import { defineConfig } from 'vitest/config';

// The reliability suite (issue 21): fuzzing, fault injection and load against real berthds. Long by nature,
// so it has its own runner (scripts/reliability.mjs), which bounds its time and prints each suite's counts.
export default defineConfig({
  test: { include: ['src/reliability/**/*.test.ts'], testTimeout: 600_000, hookTimeout: 300_000, fileParallelism: false, passWithNoTests: true },
});
