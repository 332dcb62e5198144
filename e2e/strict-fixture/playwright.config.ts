import { defineConfig } from '@playwright/test';

// No browser, no stack: the real run reporter over a few tests that skip, for strict-mode.test.ts.
export default defineConfig({
  testDir: '.',
  testMatch: /skips\.spec\.ts/,
  reporter: [['../run-reporter.ts']],
  workers: 1,
});
