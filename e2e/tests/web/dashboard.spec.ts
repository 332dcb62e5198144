import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { Dashboard } from '../../pages/dashboard';
import { OverviewPage } from '../../pages/overview-page';
import { stack } from '../../stack';
import {
  databaseScreen,
  deployAndInvokeAFunction,
  everyCardHealthyAndChartMoves,
  kpiCenterRun,
  registrationWithRetries,
  restartFromTheUi,
  settingsScreen,
  snapshotSaveRestoreDelete,
  storageRoundTrip,
} from '../dashboard-flows';

test.describe('dashboard in a browser (web mode at /ui)', () => {
  test.beforeEach(async ({ page }) => {
    await page.goto(stack().dashboardUrl);
    await expect(page).toHaveURL(/\/ui\/$/); // the token became a cookie and left the address bar
  });

  test('every service card turns healthy and the memory chart moves', async ({ page }, testInfo) => {
    await everyCardHealthyAndChartMoves(page, testInfo);
  });

  test('restarting a service from the UI brings it back with a new pid', async ({ page }, testInfo) => {
    await restartFromTheUi(page, testInfo);
  });

  test('settings show the app home and save the next start’s ports', async ({ page }, testInfo) => {
    await settingsScreen(page, testInfo, stack().home);
    const saved = JSON.parse(fs.readFileSync(path.join(stack().home, 'settings.json'), 'utf8'));
    expect(saved.portBase).toBe(31000);
  });

  test('the Functions screen deploys an example by file upload and invokes it, with timings', async ({
    page,
  }, testInfo) => {
    await deployAndInvokeAFunction(page, testInfo);
  });

  test(
    'the Workflows screen runs a registration with failTimes 2 and shows the retries, then the Mail screen its ' +
      'welcome mail',
    async ({ page }, testInfo) => {
      await registrationWithRetries(page, testInfo);
    },
  );

  test('the Storage screen uploads, downloads, shares and deletes an object', async ({ page }, testInfo) => {
    await storageRoundTrip(page, testInfo);
  });

  test('the KPIs screen runs suites with live progress, shows their verdicts and cases, and downloads the report', async ({
    page,
  }, testInfo) => {
    await kpiCenterRun(page, testInfo);
  });

  test('the Snapshots screen saves a checkpoint, restores it after confirmation, and deletes it', async ({
    page,
  }, testInfo) => {
    await snapshotSaveRestoreDelete(page, testInfo);
  });

  test('the Database screen shows the migrations, the tables’ tenant safety and rows, and the types', async ({
    page,
  }, testInfo) => {
    await databaseScreen(page, testInfo);
  });

  test('the dark theme', async ({ page }, testInfo) => {
    const dashboard = new Dashboard(page);
    await dashboard.setTheme('dark');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await new OverviewPage(page).expectAllHealthy();
    await dashboard.screenshot('overview-dark', testInfo);
  });

  test('keyboard reaches the navigation and the service actions', async ({ page }) => {
    await page.keyboard.press('Tab');
    await expect(page.getByRole('link', { name: 'Overview' })).toBeFocused();
    await page.keyboard.press('Tab'); // postgres
    await page.keyboard.press('Tab'); // postgrest
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1 })).toContainText('postgrest');
    const restart = page.getByTestId('action-restart');
    for (let i = 0; i < 30 && !(await restart.evaluate((el) => el === document.activeElement)); i++)
      await page.keyboard.press('Tab');
    await expect(restart).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('confirm-dialog')).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('confirm-dialog')).toBeHidden();
  });
});

test('without the token the dashboard and the control API refuse', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const ui = await page.goto(`${stack().gatewayUrl}/ui/`);
  expect(ui?.status()).toBe(401);
  expect(await ui?.json()).toMatchObject({ error: 'admin_token_required' });
  const wrong = await page.goto(`${stack().gatewayUrl}/ui/?token=wrong`);
  expect(wrong?.status()).toBe(401);
  await context.close();
});
