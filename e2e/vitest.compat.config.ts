import { defineConfig } from 'vitest/config';

// The compatibility suite: real third-party clients against berthd, one client per top-level describe.
export default defineConfig({
  test: { include: ['src/compat/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 300_000, fileParallelism: false },
});
