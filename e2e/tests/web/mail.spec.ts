import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { Dashboard } from '../../pages/dashboard';
import { MailPage } from '../../pages/mail-page';
import { stack } from '../../stack';

// The auth flows that need a mailbox, with the code read off the Mail screen as a developer would: register and
// verify; forget the password, recover it, log in with the new one. The app's side is its HTTP calls to the gateway.

test.describe('mail (web mode at /ui)', () => {
  test('register, read the code on the Mail screen, verify; forget the password, recover, log in with the new one', async ({
    page,
    request,
  }, testInfo) => {
    const gateway = stack().gatewayUrl;
    const email = `e2e-${randomUUID().slice(0, 8)}@mail.test`;
    const registered = await request.post(`${gateway}/auth/register`, {
      data: { email, password: 'first-password-1', tenant: 'Test Tenant 1', name: 'Mail E2E' },
    });
    expect(registered.status()).toBe(201);

    await page.goto(stack().dashboardUrl);
    const dashboard = new Dashboard(page);
    await dashboard.nav('Mail');
    const mail = new MailPage(page);
    await mail.search(email);
    await mail.open('verify');
    const verified = await request.post(`${gateway}/auth/verify`, { data: { email, code: await mail.code() } });
    expect(await verified.json()).toEqual({ email, verified: true });
    await dashboard.screenshot('mail-verification', testInfo);

    expect((await request.post(`${gateway}/auth/recovery`, { data: { email } })).status()).toBe(202);
    await mail.open('Recover');
    const recovered = await request.post(`${gateway}/auth/recovery/code`, {
      data: { email, code: await mail.code(), password: 'second-password-2' },
    });
    expect(recovered.status()).toBe(200);
    const login = (password: string) => request.post(`${gateway}/auth/login`, { data: { email, password } });
    expect((await login('first-password-1')).status()).toBe(401);
    expect((await login('second-password-2')).status()).toBe(200);
    // The mail's HTML is shown in a frame that runs nothing.
    await expect(page.getByTestId('mail-html')).toHaveAttribute('sandbox', '');
  });
});
