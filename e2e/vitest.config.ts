import { defineConfig } from 'vitest/config';

// Each file starts its own berthd; running files one at a time keeps the 2-core machines predictable.
// The compatibility suite (src/compat) and the reliability suite (src/reliability) have their own configs and runners (scripts/).
export default defineConfig({
  test: { include: ['src/**/*.test.ts'], exclude: ['src/compat/**', 'src/reliability/**'], testTimeout: 120_000, hookTimeout: 120_000, fileParallelism: false },
});
