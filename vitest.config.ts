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
        // The core, the gateway and the stack's code, tested beside it: no global setup, no shared stack. A unit test
        // may start what it tests (a Postgres of its own, a thread pool), never the whole appliance.
        test: {
          name: 'unit',
          include: ['server/**/*.test.ts', 'stack/**/*.test.ts'],
          exclude: ['server/test/**'],
          testTimeout,
        },
      },
      {
        // The integration suites: one real five-service stack for the run (server/test/global-setup.ts), and the
        // suites that start appliances of their own (the CLI lifecycle, Docker, snapshots). After the unit tests, so
        // they have both cores.
        test: {
          name: 'integration',
          include: ['server/test/**/*.test.ts'],
          globalSetup: ['server/test/global-setup.ts'],
          // 2 cores, real services: one file at a time keeps timings honest and ports apart.
          fileParallelism: false,
          sequence: { groupOrder: 1 },
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
