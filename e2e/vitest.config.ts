import { defineConfig } from 'vitest/config';

// Each file starts its own berthd; running files one at a time keeps the 2-core machines predictable.
export default defineConfig({ test: { include: ['src/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000, fileParallelism: false } });
