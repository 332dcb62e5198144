import { defineConfig } from '@playwright/test';

// A system Chromium (Debian's package), never a browser downloaded by Playwright.
const chromium = process.env.APPRUN_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: './tests',
  outputDir: '../test-results/e2e',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  workers: 1,
  retries: 0,
  reporter: [['list'], ['./run-reporter.ts']],
  globalSetup: './global-setup.ts',
  globalTeardown: './global-teardown.ts',
  use: { viewport: { width: 1280, height: 800 }, screenshot: 'only-on-failure' },
  projects: [
    {
      name: 'web',
      testMatch: /web\/.*\.spec\.ts/,
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: chromium,
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      },
    },
    { name: 'electron', testMatch: /electron\/.*\.spec\.ts/ },
  ],
});
