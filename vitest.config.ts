import { defineConfig } from 'vitest/config';

// The suites under test/redis need a real Redis (REDIS_URL, which .ci/run sets). Without one they are
// not part of the run at all, so `npm test` passes on a machine that has no Redis.
const redisSuites = process.env.REDIS_URL ? ['test/redis/**/*.test.ts'] : [];

export default defineConfig({
  test: {
    include: ['test/{unit,e2e,contract}/**/*.test.ts', ...redisSuites],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Suites start real servers on loopback; two cores run two files at a time comfortably.
    maxWorkers: 2,
  },
});
