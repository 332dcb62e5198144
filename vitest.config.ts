import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// Hang detectors, not speed checks: the slowest ordinary test needs ~8 s on a cold 2-core machine; tests that start
// whole appliances set their own, from what they do.
const testTimeout = 60_000;

export default defineConfig({
  test: {
    reporters: ['default', './server/test/summary-reporter.ts'],
    projects: [
      {
        // The Electron main process, tested with a fake `electron` module: no services, no stack.
        test: { name: 'main', include: ['main/**/*.test.ts'], environment: 'node', testTimeout },
      },
      {
        // The core and the gateway: unit tests beside the code, integration suites against one real stack.
        test: {
          name: 'core',
          include: ['server/**/*.test.ts', 'stack/**/*.test.ts'],
          globalSetup: ['server/test/global-setup.ts'],
          // 2 cores, real services: one file at a time keeps timings honest and ports apart.
          fileParallelism: false,
          testTimeout,
          hookTimeout: 120_000,
        },
      },
      {
        // The dashboard's hooks, components and their pure helpers, in a simulated DOM: no services, no stack.
        // happy-dom rather than jsdom: jsdom's current major needs Node 22, and the engines field allows Node 20.
        plugins: [react()],
        test: {
          name: 'renderer',
          include: ['renderer/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
          setupFiles: ['renderer/src/test-setup.ts'],
          testTimeout,
        },
      },
    ],
  },
});
