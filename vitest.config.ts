import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Suites start real servers on loopback; two cores run two files at a time comfortably.
    maxWorkers: 2,
  },
});
