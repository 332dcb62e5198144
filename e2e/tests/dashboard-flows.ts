import fs from 'node:fs';
import path from 'node:path';
import { expect, type Page, type TestInfo } from '@playwright/test';
import { Dashboard } from '../pages/dashboard';
import { DatabasePage } from '../pages/database-page';
import { FunctionsPage } from '../pages/functions-page';
import { KpisPage } from '../pages/kpis-page';
import { OverviewPage } from '../pages/overview-page';
import { ServicePage } from '../pages/service-page';
import { SettingsPage } from '../pages/settings-page';
import { signIn } from '../pages/sign-in';
import { SnapshotsPage } from '../pages/snapshots-page';
import { StoragePage } from '../pages/storage-page';
import { WorkflowsPage } from '../pages/workflows-page';
import { ROOT } from '../stack';

// The flows both the web-mode and the Electron tests walk through, on whichever page shows the dashboard.

export async function everyCardHealthyAndChartMoves(page: Page, testInfo: TestInfo): Promise<void> {
  const dashboard = new Dashboard(page);
  const overview = new OverviewPage(page);
  await dashboard.expectHeading('Overview');
  await overview.expectAllHealthy();
  // Idle until the first workflow; running once one ran (the tests share one appliance, in any order).
  await expect(overview.workflowWorker()).toHaveText(
    /^workflow worker (idle \(starts with the first workflow\)|running)$/,
  );
  // The appliance's own memory, taken apart.
  await page.getByTestId('appliance-memory').locator('summary').click();
  await expect(page.getByTestId('appliance-heap-used')).toHaveText(/^\d+\.\d MB$/);
  const before = await overview.memoryChartShape();
  await expect.poll(() => overview.memoryChartShape(), { timeout: 15_000 }).not.toBe(before);
  await dashboard.screenshot('overview', testInfo);
}

export async function restartFromTheUi(page: Page, testInfo: TestInfo, service = 'minio'): Promise<void> {
  const dashboard = new Dashboard(page);
  await dashboard.nav(service);
  const detail = new ServicePage(page, service);
  await detail.expectState('healthy');
  const pidBefore = await detail.pid();
  await detail.act('restart');
  await expect(page.getByTestId('action-progress')).toBeVisible();
  await detail.expectState('healthy');
  await expect.poll(() => detail.pid()).not.toBe(pidBefore);
  const lines = await detail.filterLogs(`process ${pidBefore} ended`);
  expect(lines.length).toBeGreaterThan(0);
  await detail.filterLogs('');
  // Errors only: the supervisor's lines (the restart) and errors; nothing else.
  const errors = await detail.linesAtLevel('error');
  expect(errors.some((l) => l.includes(`process ${pidBefore} ended`))).toBe(true);
  for (const line of errors) expect(line).toMatch(/^\[apprun |\b(error|fatal|panic|failed)\b/i);
  await detail.linesAtLevel('all');
  // Paused, the lines hold still; download saves the whole tail.
  await page.getByTestId('log-pause').click();
  await expect(page.getByTestId('log-pause')).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('log-pause').click();
  const file = await detail.downloadLog();
  expect(file.suggestedFilename()).toBe(`${service}.log`);
  await dashboard.screenshot(`service-${service}`, testInfo);
}

export async function settingsScreen(page: Page, testInfo: TestInfo, expectedHome: string): Promise<void> {
  const dashboard = new Dashboard(page);
  await dashboard.nav('Settings');
  const settings = new SettingsPage(page);
  expect(await settings.home()).toBe(expectedHome);
  // Ports by name; the web UIs are links that answer.
  await expect(page.getByTestId('port-kratosAdmin').getByRole('rowheader')).toHaveText('Kratos admin API');
  for (const key of ['temporalUi', 'minioConsole']) {
    const href = await page.getByTestId(`port-${key}`).getByRole('link').getAttribute('href');
    expect(href).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((await page.request.get(href!)).status(), key).toBeLessThan(400);
  }
  await settings.savePortBase('80');
  await settings.expectError('portBase');
  await settings.savePortBase('31000');
  await settings.expectSaved();
  // A tenant admin's policies, as lines: a bad one is refused before it is sent, the same ones save.
  await signIn(page, 'alice@test.com', 'apprun-dev-password');
  const policies = page.getByLabel('policies');
  await expect(policies).toHaveValue(/p, admin, \/auth\/policies, GET\|PUT/);
  const rules = await policies.inputValue();
  await policies.fill(`${rules}\np, user, /data/notes, FETCH`);
  await page.getByRole('button', { name: 'save policies' }).click();
  await expect(page.getByTestId('policies').getByRole('alert')).toContainText('"FETCH" is not one of');
  await policies.fill(rules);
  await page.getByRole('button', { name: 'save policies' }).click();
  await expect(page.getByText('saved; effective now')).toBeVisible();
  await dashboard.screenshot('settings', testInfo);
}

export async function deployAndInvokeAFunction(page: Page, testInfo: TestInfo): Promise<void> {
  const dashboard = new Dashboard(page);
  await dashboard.nav('Functions');
  const functions = new FunctionsPage(page);
  await signIn(page, 'alice@test.com', 'apprun-dev-password');
  await functions.deploy(path.join(ROOT, 'wasm', 'build', 'hello.wasm'), 'hello-ui');
  const first = await functions.invoke('hello-ui', 'apprun');
  expect(first.output).toBe('Hello, apprun!');
  expect(first.timings).toMatch(/compile [\d.]+ ms · instantiate [\d.]+ ms · run \d+ µs/);
  // An example in one click: whoami answers with alice's tenant.
  await page.getByTestId('example-select').selectOption('whoami');
  await page.getByRole('button', { name: 'Deploy the example' }).click();
  await expect(page.getByTestId('function-row-whoami')).toBeVisible();
  const whoami = await functions.invoke('whoami', '');
  expect(whoami.output).toContain('00000000-0000-4000-8000-000000000001');
  await dashboard.screenshot('functions', testInfo);
}

export async function registrationWithRetries(page: Page, testInfo: TestInfo): Promise<void> {
  const dashboard = new Dashboard(page);
  await dashboard.nav('Workflows');
  await signIn(page, 'alice@test.com', 'apprun-dev-password');
  const workflows = new WorkflowsPage(page);
  const email = `ui-${Date.now()}@test.com`;
  await workflows.startRegistration(email, 2);
  await workflows.expectStatus('completed');
  expect(await workflows.attempts('SendWelcomeEmail')).toEqual([
    expect.stringMatching(/^attempt 1 · .* · failed — injected failure 1 of 2$/),
    expect.stringMatching(/^attempt 2 · .* · failed — injected failure 2 of 2$/),
    expect.stringMatching(/^attempt 3 · .* · completed$/),
  ]);
  expect(await workflows.attempts('CreateDefaultProject')).toEqual([
    expect.stringMatching(/^attempt 1 · .* · completed$/),
  ]);
  await expect(workflows.temporalUiLink()).toHaveAttribute('href', /\/namespaces\/default\/workflows\/registration-/);
  await dashboard.screenshot('workflows', testInfo);
  // the welcome email reached the mail catcher, through SMTP
  await dashboard.nav('Mail');
  await page.getByTestId('mail-item').filter({ hasText: email }).getByRole('button').click();
  await expect(page.getByTestId('mail-text')).toContainText(`your account ${email} is ready`);
  await dashboard.screenshot('mail', testInfo);
  // the first workflow started the worker, and it stays
  await dashboard.nav('Overview');
  await expect(new OverviewPage(page).workflowWorker()).toHaveText('workflow worker running');
}

export async function storageRoundTrip(page: Page, testInfo: TestInfo): Promise<void> {
  const dashboard = new Dashboard(page);
  await dashboard.nav('Storage');
  await signIn(page, 'alice@test.com', 'apprun-dev-password');
  const storage = new StoragePage(page);
  const key = `ui/${Date.now()}/notes.txt`;
  await storage.upload(key, 'notes.txt', 'hello from the dashboard');
  expect(await storage.download(key)).toBe('hello from the dashboard');
  await storage.share(key);
  // The link is shown whole, signature and all: fetched as it is copied, it answers the object.
  const url = await page.getByTestId('storage-link-url').inputValue();
  expect(url).toMatch(/X-Amz-Signature=/);
  const shared = await page.request.get(url);
  expect(shared.status()).toBe(200);
  expect(await shared.text()).toBe('hello from the dashboard');
  await dashboard.screenshot('storage', testInfo);
  await storage.remove(key);
}

export async function kpiCenterRun(page: Page, testInfo: TestInfo): Promise<void> {
  const dashboard = new Dashboard(page);
  await dashboard.nav('KPIs');
  await dashboard.expectHeading('KPIs');
  const kpis = new KpisPage(page);
  // The workflow suite takes a few seconds (two injected failures, retried with backoff): long enough to watch.
  await kpis.runSuite('workflow-retry', 'workflow');
  await expect(page.getByTestId('run-step')).not.toHaveText('');
  expect(await kpis.runEnds()).toBe('done');
  await expect(kpis.verdict('workflow-retry')).toHaveText('pass');
  await expect(page.getByTestId('result-workflow')).toContainText('workflow: done');
  await kpis.runSuite('isolation', 'isolation');
  expect(await kpis.runEnds()).toBe('done');
  await expect(kpis.verdict('isolation')).toHaveText('pass');
  await page.getByTestId('result-isolation').locator('summary').click(); // cases fold away when all held
  await expect(page.getByTestId('cases-isolation').getByRole('row')).toHaveCount(13); // header + 12 cases

  // The decision: the stored run's WASM hot call (120 µs against < 50 µs) blocks it, shown with value and target,
  // beside KPIs that pass; every KPI it lists as blocking is one the table shows failing.
  await expect(kpis.decisionWord()).toHaveText('No-Go');
  await expect(page.getByTestId('blocking-wasm-hot')).toContainText('p99 120 µs (p50 8 µs) · target p99 < 50 µs');
  await expect(kpis.verdict('wasm-hot')).toHaveText('fail');
  await expect(kpis.verdict('isolation')).toHaveText('pass');
  for (const id of await kpis.blockingIds()) await expect(kpis.verdict(id)).toHaveText('fail');
  await expect(page.getByTestId('decision-when')).toContainText('stored e2e machine');
  // A KPI opens to its cases (the attack matrix) and its history with the machine.
  const isolation = await kpis.expand('isolation');
  await expect(isolation.getByTestId('kpi-cases-isolation').getByRole('row')).toHaveCount(13);
  await expect(isolation.getByTestId('kpi-history-isolation')).toContainText(/\d+ cores, [\d.]+ GB/);

  // The data suite's charts draw every series of their legend, the closed-loop pair too (one point a round).
  await kpis.runSuite('data-throughput', 'data');
  expect(await kpis.runEnds()).toBe('done');
  const rps = await kpis.chartSeries('rps');
  expect(rps.legend).toEqual(
    expect.arrayContaining(['reference warm-up', 'gateway @500/s', 'direct closed loop', 'gateway closed loop']),
  );
  expect(rps.drawn).toBe(rps.legend.length);
  await dashboard.screenshot('kpis', testInfo);

  // The last run stays in view after a reload.
  const runTitle = await page.locator('#run-title').textContent();
  await page.reload();
  await expect(page.locator('#run-title')).toHaveText(runTitle!);

  const download = await kpis.downloadReport();
  expect(download.suggestedFilename()).toBe('apprun-poc-report.html');
  const file = testInfo.outputPath('apprun-poc-report.html');
  await download.saveAs(file);
  const html = fs.readFileSync(file, 'utf8');
  expect(html).toContain('apprun POC report');
  expect(html).toContain('tenant isolation: attack matrix');
  const report = await page.context().newPage();
  await report.setContent(html);
  await new Dashboard(report).screenshot('poc-report', testInfo);
  await report.close();
}

export async function snapshotSaveRestoreDelete(page: Page, testInfo: TestInfo): Promise<void> {
  const dashboard = new Dashboard(page);
  await dashboard.nav('Snapshots');
  const snapshots = new SnapshotsPage(page);
  await snapshots.save('e2e-checkpoint');
  await expect(snapshots.row('e2e-checkpoint')).toContainText('postgres data');
  await dashboard.screenshot('snapshots', testInfo);
  await snapshots.confirmed('restore', 'e2e-checkpoint');
  await expect(page.getByTestId('snapshot-progress')).toContainText('restoring e2e-checkpoint');
  await expect(page.getByTestId('snapshot-done')).toHaveText('restored e2e-checkpoint; every service runs on it', {
    timeout: 60_000,
  });
  await snapshots.confirmed('delete', 'e2e-checkpoint');
  await expect(snapshots.row('e2e-checkpoint')).toHaveCount(0);
  await dashboard.nav('Overview');
  await new OverviewPage(page).expectAllHealthy();
}

export async function databaseScreen(page: Page, testInfo: TestInfo): Promise<void> {
  const dashboard = new Dashboard(page);
  await dashboard.nav('Database');
  await dashboard.expectHeading('Database');
  await expect(page.getByTestId('project-name')).toHaveText('demo');
  const db = new DatabasePage(page);
  await expect(db.migration('20261206000000_demo_schema.sql')).toContainText('applied');
  await expect(db.table('products')).toContainText('tenant-safe');
  await expect(db.table('products')).toContainText(/Test Tenant 1: \d+, Test Tenant 2: \d+/);
  await expect(db.table('tenants')).toContainText('view');
  await db.showTypes();
  await expect(page.getByTestId('types')).toContainText('products: {');
  await dashboard.screenshot('database', testInfo);
}
