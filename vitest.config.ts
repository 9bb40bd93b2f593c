import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Several connections at once exist only on a server: these run when TEST_DATABASE_URL names one (always in CI).
    exclude: process.env.TEST_DATABASE_URL
      ? []
      : [
          'test/integration/concurrency.test.ts',
          'test/integration/reservations.test.ts',
          'test/integration/rescore-pool.test.ts',
        ],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
