import { defineConfig } from 'vitest/config';

// For running this suite alone (`pnpm --filter @ai-orchestrator/release-test test`); the root
// config runs it in the `stack` project.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
