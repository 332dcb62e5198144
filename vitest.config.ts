import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'stack/**/*.test.ts'],
    globalSetup: ['server/test/global-setup.ts'],
    // 2 cores, real services: one file at a time keeps timings honest and ports apart.
    fileParallelism: false,
    // Hang detectors, not speed checks: the slowest ordinary test needs ~8 s on a cold 2-core machine; tests that
    // start whole appliances set their own, from what they do.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './server/test/summary-reporter.ts'],
  },
});
