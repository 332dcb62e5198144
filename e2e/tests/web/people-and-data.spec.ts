import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { Dashboard } from '../../pages/dashboard';
import { actAs, DataPage } from '../../pages/data-page';
import { RequestsPage } from '../../pages/requests-page';
import { UsersPage } from '../../pages/users-page';
import { stack } from '../../stack';

// The developer's side of the dashboard: users of every tenant, acting as one, their data as their app sees it, the
// read-only SQL console, and every screen at a phone's width.

const T1 = '00000000-0000-4000-8000-000000000001';
const T2 = '00000000-0000-4000-8000-000000000002';

test.describe('users and data (web mode at /ui)', () => {
  test.beforeEach(async ({ page }) => {
    await page.goto(stack().dashboardUrl);
    await expect(page).toHaveURL(/\/ui\/$/);
  });

  test('creates a user, disables and enables them, acts as them; the acting-as switcher survives a reload', async ({
    page,
  }, testInfo) => {
    const dashboard = new Dashboard(page);
    await dashboard.nav('Users');
    const users = new UsersPage(page);
    await expect(users.row('alice@test.com')).toContainText('Test Tenant 1');
    const email = `e2e-${randomUUID().slice(0, 8)}@users.test`;
    await users.create(email, 'an-e2e-password', 'Test Tenant 2');
    await expect(users.row(email)).toHaveAttribute('data-state', 'active');
    await users.act(email, 'disable');
    await expect(users.row(email)).toHaveAttribute('data-state', 'disabled');
    await users.act(email, 'enable');
    await expect(users.row(email)).toHaveAttribute('data-state', 'active');
    await users.act(email, 'act as');
    await expect(page.getByTestId('acting-as-select').locator('option:checked')).toContainText(email);
    await dashboard.screenshot('users', testInfo);

    await page.reload();
    await dashboard.nav('Data');
    await expect(
      page.getByText(new RegExp(`^Acting as ${email.replace('.', '\\.')} \\(Test Tenant 2, user\\)`)),
    ).toBeVisible();
    await dashboard.nav('Users');
    await users.remove(email);
    // Deleting the user the dashboard acts as ends the acting.
    await expect(page.getByTestId('acting-as-select').locator('option:checked')).toHaveText('nobody');
  });

  test('browses and edits rows as two users of two tenants, each seeing only theirs; the SQL console shows RLS and refuses a write', async ({
    page,
  }, testInfo) => {
    const dashboard = new Dashboard(page);
    await dashboard.nav('Data');
    const data = new DataPage(page);
    await actAs(page, 'alice@test.com');
    await data.openTable('products');
    await expect(data.rows()).toBeVisible();
    expect(new Set(await data.column('tenant_id'))).toEqual(new Set([T1]));

    const name = `e2e row ${randomUUID().slice(0, 6)}`;
    await data.insert(`{"name": "${name}", "price": 3}`);
    await expect(data.rowWith(name)).toHaveCount(1);
    await data.edit(name, `{"name": "${name} edited", "price": 4}`);
    await expect(data.rowWith(`${name} edited`)).toContainText('4');

    await actAs(page, 'charlie@test.com');
    await expect(page.getByText(/^Acting as charlie@test\.com/)).toBeVisible();
    await expect(data.rows()).toBeVisible();
    expect(new Set(await data.column('tenant_id'))).toEqual(new Set([T2]));
    await expect(data.rowWith(name)).toHaveCount(0);

    await data.sql('select tenant_id, name from products');
    const result = page.getByTestId('sql-result');
    await expect(result).toContainText('as charlie@test.com (tenant Test Tenant 2, role admin)');
    const tenants = await page.getByTestId('sql-rows').locator('tbody tr td:first-child').allTextContents();
    expect(tenants.length).toBeGreaterThan(0);
    expect(new Set(tenants)).toEqual(new Set([T2]));
    await data.sql('delete from products');
    await expect(page.getByTestId('sql-console').getByRole('alert')).toContainText(
      'read_only: the console is read-only',
    );
    await dashboard.screenshot('data', testInfo);

    await page.getByTestId('all-tenants').check();
    await expect(page.getByText('bypasses isolation').first()).toBeVisible();
    await actAs(page, 'alice@test.com');
    await page.getByTestId('all-tenants').uncheck();
    await data.remove(`${name} edited`);
  });

  test("lists the gateway's requests live, draws one's waterfall, and explains a denial and a hidden row", async ({
    page,
  }, testInfo) => {
    const gateway = stack().gatewayUrl;
    const login = async (email: string) => {
      const res = await fetch(`${gateway}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: 'apprun-dev-password' }),
      });
      return ((await res.json()) as { access_token: string }).access_token;
    };
    const bob = await login('bob@test.com');
    const alice = await login('alice@test.com');
    const marker = randomUUID().slice(0, 8);
    const denied = await fetch(`${gateway}/data/products?name=eq.${marker}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${bob}` },
    });
    expect(denied.status).toBe(403);
    const hidden = await fetch(`${gateway}/data/products?name=eq.Gizmo&select=name,price`, {
      headers: { authorization: `Bearer ${alice}` },
    });
    expect(await hidden.json()).toEqual([]);

    const dashboard = new Dashboard(page);
    await dashboard.nav('Requests');
    const requests = new RequestsPage(page);
    await requests.filterStatus('failed (4xx, 5xx, aborted)');
    await requests.filterPath('/data/products');
    await requests.open(`name=eq.${marker}`);
    await expect(page.getByTestId('request-detail')).toContainText('bob@test.com');
    await expect(requests.spans().filter({ hasText: 'rbac' })).toContainText(`p, user, ${T1}, /data/*, DELETE`);
    await requests.explain();
    await expect(requests.explanation()).toContainText(`the missing one is "p, user, ${T1}, /data/*, DELETE"`);
    await dashboard.screenshot('requests-denied', testInfo);

    await requests.filterStatus('2xx');
    await requests.open('name=eq.Gizmo&select=name,price');
    // A fast-lane read: the gateway's hops, then PostgREST's own phases.
    await expect(requests.spans().filter({ hasText: 'transaction' })).toHaveCount(1);
    await requests.explain();
    await expect(requests.explanation()).toContainText(/\d+ match, 0 visible, \d+ hidden by `products_own_tenant`/);
    await expect(requests.explanation()).toContainText('app_private.current_tenant()');
    await dashboard.screenshot('requests-hidden-row', testInfo);
  });

  test('every screen fits a phone: no sideways scrolling at 360 and 390 px, the navigation behind a menu', async ({
    page,
  }, testInfo) => {
    const screens = [
      '#/',
      '#/service/postgres',
      '#/kpis',
      '#/database',
      '#/data',
      '#/requests',
      '#/users',
      '#/functions',
      '#/workflows',
      '#/mail',
      '#/storage',
      '#/snapshots',
      '#/settings',
    ];
    for (const width of [360, 390]) {
      await page.setViewportSize({ width, height: 800 });
      for (const hash of screens) {
        await page.evaluate((h) => {
          window.location.hash = h;
        }, hash);
        await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
        // Charts follow the viewport through a ResizeObserver: give them a moment, not a fixed sleep.
        await expect
          .poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), {
            message: `${hash} at ${width} px must not scroll sideways`,
            timeout: 5000,
          })
          .toBeLessThanOrEqual(0);
      }
    }
    await expect(page.getByRole('navigation', { name: 'main' })).toBeHidden();
    await page.getByTestId('menu-button').click();
    await expect(page.getByRole('navigation', { name: 'main' })).toBeVisible();
    await dashboard(page).screenshot('phone-menu', testInfo);
    await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'KPIs', exact: true }).click();
    await expect(page.getByRole('navigation', { name: 'main' })).toBeHidden();
    await dashboard(page).screenshot('phone-kpis', testInfo);
  });
});

const dashboard = (page: import('@playwright/test').Page) => new Dashboard(page);
