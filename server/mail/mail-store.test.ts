import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MailStore } from './mail-store.js';

const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'apprun-mail-'));
const mail = (to: string, subject: string, body = 'hello', html?: string) =>
  Buffer.from(
    [
      'From: apprun <no-reply@apprun.local>',
      `To: ${to}`,
      `Subject: ${subject}`,
      'MIME-Version: 1.0',
      ...(html
        ? [
            'Content-Type: multipart/alternative; boundary="b"',
            '',
            '--b',
            'Content-Type: text/plain; charset=utf-8',
            '',
            body,
            '--b',
            'Content-Type: text/html; charset=utf-8',
            '',
            html,
            '--b--',
          ]
        : ['Content-Type: text/plain; charset=utf-8', '', body]),
      '',
    ].join('\r\n'),
  );

describe('the mail store', () => {
  it('keeps mail newest first, filtered by recipient and subject, and reads one with its codes and links', async () => {
    const store = new MailStore(dir());
    await store.load();
    await store.add(mail('alice@test.com', 'Welcome'));
    await store.add(
      mail(
        'Bob@Test.com',
        'Recover your account',
        'Your code is 123456.\nOr open http://127.0.0.1:8080/ui/recovery?flow=1 now.',
        '<p>Your code is <b>123456</b>, <a href="http://127.0.0.1:8080/ui/recovery?flow=1&amp;x=2">open</a></p>',
      ),
    );
    expect(store.list().map((m) => m.subject)).toEqual(['Recover your account', 'Welcome']);
    expect(store.list({ to: 'bob@' }).map((m) => m.to)).toEqual([['bob@test.com']]);
    expect(store.list({ subject: 'WELCOME' })).toHaveLength(1);
    const read = await store.get(store.list({ to: 'bob' })[0]!.id);
    expect(read?.codes).toEqual(['123456']);
    expect(read?.links).toEqual([
      'http://127.0.0.1:8080/ui/recovery?flow=1',
      'http://127.0.0.1:8080/ui/recovery?flow=1&x=2',
    ]);
    expect(read?.html).toContain('<b>123456</b>');
    expect(await store.get('000000000-000')).toBeUndefined();
  });

  it('stays within its bounds: the oldest go first, counted', async () => {
    const store = new MailStore(dir(), { maxMessages: 3, maxBytes: 10_000 });
    await store.load();
    for (let i = 0; i < 5; i++) await store.add(mail('a@test.com', `n${i}`));
    expect(store.list().map((m) => m.subject)).toEqual(['n4', 'n3', 'n2']);
    expect(store.dropped).toBe(2);
    expect(fs.readdirSync(store.dir).filter((f) => f.endsWith('.eml'))).toHaveLength(3);
    await store.add(mail('a@test.com', 'big', 'x'.repeat(9_000)));
    expect(store.bytes).toBeLessThanOrEqual(10_000);
    expect(store.list()[0]!.subject).toBe('big');
  });

  it('outlives a restart, and rebuilds a lost index from the messages', async () => {
    const at = dir();
    const first = new MailStore(at);
    await first.load();
    await first.add(mail('a@test.com', 'kept'));
    const again = new MailStore(at);
    await again.load();
    expect(again.list().map((m) => m.subject)).toEqual(['kept']);
    fs.rmSync(path.join(at, 'index.json'));
    const rebuilt = new MailStore(at);
    await rebuilt.load();
    expect(rebuilt.list().map((m) => m.subject)).toEqual(['kept']);
  });

  it('waits for a first match, and tells a follower only what came after', async () => {
    const store = new MailStore(dir());
    await store.load();
    const first = await store.add(mail('a@test.com', 'one'));
    const waiting = store.waitFor({ to: 'late@test.com' }, 5);
    await store.add(mail('other@test.com', 'not this'));
    await store.add(mail('late@test.com', 'this'));
    expect((await waiting).map((m) => m.subject)).toEqual(['this']);
    expect(await store.waitFor({ to: 'nobody@test.com' }, 0)).toEqual([]);
    // A client that goes away ends its wait at once.
    const gone = new AbortController();
    const t0 = Date.now();
    setTimeout(() => gone.abort(), 50);
    expect(await store.waitFor({ to: 'nobody@test.com' }, 30, gone.signal)).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(store.list({ after: first.id }).map((m) => m.subject)).toEqual(['this', 'not this']);
    expect(await store.clear()).toBe(3);
    expect(store.list()).toEqual([]);
  });
});
