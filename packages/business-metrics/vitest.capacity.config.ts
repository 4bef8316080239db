// Runs the Redis capacity measurement (bench/*.measure.ts) alone; `pnpm test` never picks it up.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['bench/**/*.measure.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
