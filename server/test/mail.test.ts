import { spawn } from 'node:child_process';
import nodemailer from 'nodemailer';
import { beforeAll, describe, expect, it } from 'vitest';
import { apprun, BIN } from './cli.js';
import { call, expectCleanError, gateway, login, stack } from './http.js';
import { until } from './until.js';

// The mail catcher on the shared stack: a plain SMTP client's mail, Kratos' verification and recovery codes through
// the gateway's /auth routes, the registration workflow's welcome mail, the bounds and the refusals.

const admin = () => ({ 'x-apprun-admin-token': stack().adminToken });
let smtpPort: number;

interface Caught {
  id: string;
  to: string[];
  subject: string;
}
/** The newest mail to the address (waiting up to 10 s for one), read in full. */
async function mailTo(to: string, subject = '', after?: string) {
  const list = await call(
    'GET',
    gateway(
      `/api/mail?to=${encodeURIComponent(to)}&subject=${encodeURIComponent(subject)}&wait=10${after ? `&after=${after}` : ''}`,
    ),
    {
      headers: admin(),
    },
  );
  expect(list.status, list.text).toBe(200);
  const first = (list.json.messages as Caught[])[0];
  if (!first) throw new Error(`no mail to ${to} (${subject}) within 10 s`);
  return (await call('GET', gateway(`/api/mail/${first.id}`), { headers: admin() })).json;
}

const unique = (what: string) => `${what}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@test.com`;
const register = (email: string, password = 'a-long-password-1') =>
  call('POST', gateway('/auth/register'), { body: { email, password, tenant: 'Test Tenant 1', name: 'Mail Test' } });

beforeAll(async () => {
  const res = await call('GET', gateway('/api/mail?limit=1'), { headers: admin() });
  smtpPort = Number(new URL(res.json.smtp.replace('smtp://', 'http://')).port);
});

describe('the mail catcher', () => {
  it("keeps a plain SMTP client's mail, found by recipient, with its text, links and codes", async () => {
    const to = unique('plain');
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, ignoreTLS: true });
    await transport.sendMail({
      from: 'my-app@test.com',
      to,
      subject: 'Your order',
      text: 'Order 55501234 shipped: http://127.0.0.1:3000/orders/1',
      html: '<p>Order <b>55501234</b> shipped: <a href="http://127.0.0.1:3000/orders/1">track</a></p>',
    });
    const mail = await mailTo(to);
    expect(mail).toMatchObject({ from: 'my-app@test.com', to: [to], subject: 'Your order', codes: ['55501234'] });
    expect(mail.links).toEqual(['http://127.0.0.1:3000/orders/1']);
    expect(mail.html).toContain('<b>55501234</b>');
    const raw = await call('GET', gateway(`/api/mail/${mail.id}/raw`), { headers: admin() });
    expect(raw.headers['content-type']).toContain('message/rfc822');
    expect(raw.text).toContain('Subject: Your order');
    const cli = await apprun(['mail', '--to', to, '--home', stack().home]);
    expect(cli.stdout).toContain('Your order');
    expect((await apprun(['mail', mail.id, '--home', stack().home])).stdout).toContain('codes: 55501234');
  });

  it('`apprun mail --follow` prints each new message as it arrives, and stops on Ctrl-C', async () => {
    const to = unique('follow');
    const child = spawn(process.execPath, [BIN, 'mail', '--follow', '--to', to, '--home', stack().home]);
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    try {
      await until('following', async () => (out.includes('-- following the mail') ? true : undefined));
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, ignoreTLS: true });
      await transport.sendMail({ from: 'app@test.com', to, subject: 'Followed one', text: 'hi' });
      await until('printed', async () => (out.includes('Followed one') ? true : undefined));
    } finally {
      child.kill('SIGINT');
    }
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
  });

  it('refuses a mail over its size bound with SMTP 552, and counts it', async () => {
    const before = (await call('GET', gateway('/api/mail?limit=1'), { headers: admin() })).json.refused;
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, ignoreTLS: true });
    await expect(
      transport.sendMail({ from: 'a@test.com', to: unique('huge'), subject: 'huge', text: 'x'.repeat(11 * 2 ** 20) }),
    ).rejects.toMatchObject({ responseCode: 552 });
    expect((await call('GET', gateway('/api/mail?limit=1'), { headers: admin() })).json.refused).toBe(before + 1);
  });

  it('answers bad input with clean errors, and only to the admin token', async () => {
    expectCleanError(await call('GET', gateway('/api/mail/not-an-id'), { headers: admin() }), 400);
    const missing = await call('GET', gateway('/api/mail/000000000-000'), { headers: admin() });
    expectCleanError(missing, 404);
    expect(missing.json.error).toBe('mail_not_found');
    expectCleanError(await call('GET', gateway('/api/mail?limit=0'), { headers: admin() }), 400);
    expectCleanError(await call('GET', gateway('/api/mail?wait=600'), { headers: admin() }), 400);
    expectCleanError(await call('GET', gateway('/api/mail')), 401);
    const alice = (await login(gateway(''), 'alice@test.com')).json.access_token as string;
    expect((await call('GET', gateway('/api/mail'), { token: alice })).status).toBe(401);
  });
});

describe('verification and recovery by a mailed code, through the gateway', () => {
  it('a registration mails a verification code; a wrong one is refused, the right one verifies, and the token says so', async () => {
    const email = unique('verify');
    expect((await register(email)).status).toBe(201);
    const mail = await mailTo(email, 'verify');
    expect(mail.codes).toHaveLength(1);
    const wrong = await call('POST', gateway('/auth/verify'), { body: { email, code: '000000' } });
    expectCleanError(wrong, 400);
    expect(wrong.json.error).toBe('code_invalid');
    const right = await call('POST', gateway('/auth/verify'), { body: { email, code: mail.codes[0] } });
    expect(right.json).toEqual({ email, verified: true });
    const token = (await login(gateway(''), email, 'a-long-password-1')).json.access_token as string;
    expect(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).email_verified).toBe(true);
    // A new code on request, for an address that lost the first mail; five wrong tries spend even the right one.
    expect((await call('POST', gateway('/auth/verification'), { body: { email } })).status).toBe(202);
    const again = await mailTo(email, 'verify', mail.id);
    expect(again.id).not.toBe(mail.id);
    for (let i = 0; i < 5; i++)
      expect((await call('POST', gateway('/auth/verify'), { body: { email, code: '000000' } })).status).toBe(400);
    const spent = await call('POST', gateway('/auth/verify'), { body: { email, code: again.codes[0] } });
    expectCleanError(spent, 400);
    expect(spent.json.error).toBe('code_invalid');
  });

  it('the welcome mail of the registration workflow arrives through SMTP', async () => {
    const email = unique('welcome');
    expect((await register(email)).status).toBe(201);
    const mail = await mailTo(email, 'Welcome to apprun');
    expect(mail.text).toContain(`your account ${email} is ready`);
  });

  it('recovery: 202 for any address, a code for a real one; a wrong code and a short password refused; the new password works', async () => {
    const email = unique('recover');
    expect((await register(email, 'the-old-password-1')).status).toBe(201);
    const oldToken = (await login(gateway(''), email, 'the-old-password-1')).json.access_token as string;
    const nobody = unique('nobody');
    const [forNobody, forUser] = await Promise.all([
      call('POST', gateway('/auth/recovery'), { body: { email: nobody } }),
      call('POST', gateway('/auth/recovery'), { body: { email } }),
    ]);
    expect([forNobody.status, forUser.status]).toEqual([202, 202]);
    expect(forNobody.json).toEqual(forUser.json);
    const mail = await mailTo(email, 'recover');
    const code = mail.codes[0] as string;
    const wrong = await call('POST', gateway('/auth/recovery/code'), {
      body: { email, code: code === '123456' ? '654321' : '123456', password: 'the-new-password-2' },
    });
    expectCleanError(wrong, 400);
    expect(wrong.json.error).toBe('code_invalid');
    const short = await call('POST', gateway('/auth/recovery/code'), { body: { email, code, password: 'short' } });
    expectCleanError(short, 400);
    expect(short.json).toMatchObject({ error: 'password_rejected', message: expect.stringMatching(/still good/) });
    const changed = await call('POST', gateway('/auth/recovery/code'), {
      body: { email, code, password: 'the-new-password-2' },
    });
    expect(changed.status, changed.text).toBe(200);
    expect((await login(gateway(''), email, 'the-old-password-1')).status).toBe(401);
    expect((await login(gateway(''), email, 'the-new-password-2')).status).toBe(200);
    // Whoever held the old password is out.
    expect((await call('GET', gateway('/data/products?select=name'), { token: oldToken })).status).toBe(401);
    // No mail went to an address without an account.
    const none = await call('GET', gateway(`/api/mail?to=${encodeURIComponent(nobody)}`), { headers: admin() });
    expect(none.json.messages).toEqual([]);
    // A code used once is spent.
    expectCleanError(
      await call('POST', gateway('/auth/recovery/code'), { body: { email, code, password: 'the-third-password-3' } }),
      400,
    );
  });

  it('refuses malformed requests cleanly', async () => {
    expectCleanError(await call('POST', gateway('/auth/recovery'), { body: { email: 'not-an-email' } }), 400);
    expectCleanError(await call('POST', gateway('/auth/verify'), { body: { email: 'a@test.com', code: 'abc' } }), 400);
    expectCleanError(
      await call('POST', gateway('/auth/recovery/code'), { body: { email: 'a@test.com', code: '123456' } }),
      400,
    );
    expectCleanError(
      await call('POST', gateway('/auth/verify'), { body: { email: unique('never'), code: '123456' } }),
      400,
    );
  });
});
