import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { MailStore } from './mail-store.js';
import { MAX_MAIL_BYTES, SmtpCatcher } from './smtp-catcher.js';

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });

let catcher: SmtpCatcher | undefined;
afterEach(async () => {
  await catcher?.stop();
});

async function started(limits = { maxMessages: 1000, maxBytes: 50 * 2 ** 20 }) {
  const store = new MailStore(fs.mkdtempSync(path.join(os.tmpdir(), 'apprun-smtp-')), limits);
  await store.load();
  const port = await freePort();
  catcher = new SmtpCatcher(store, port, () => undefined);
  await catcher.start();
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  return { store, transport };
}

describe('the SMTP catcher', () => {
  it('keeps what a plain SMTP client sends, and delivers nothing', async () => {
    const { store, transport } = await started();
    const sent = await transport.sendMail({
      from: 'app@test.com',
      to: 'carol@test.com',
      subject: 'Hi',
      text: 'code 424242',
    });
    expect(sent.accepted).toEqual(['carol@test.com']);
    const [caught] = store.list({ to: 'carol@test.com' });
    expect(caught?.subject).toBe('Hi');
    expect((await store.get(caught!.id))?.codes).toEqual(['424242']);
  });

  it('refuses a mail over the size bound with SMTP 552, counted, and keeps nothing of it', async () => {
    const { store, transport } = await started();
    await expect(
      transport.sendMail({
        from: 'a@test.com',
        to: 'b@test.com',
        subject: 'huge',
        text: 'x'.repeat(MAX_MAIL_BYTES + 1024),
      }),
    ).rejects.toMatchObject({ responseCode: 552 });
    expect(catcher!.refused).toBe(1);
    expect(store.count).toBe(0);
  });

  it('takes a flood within its bounds: the newest kept, the oldest dropped', async () => {
    const { store } = await started({ maxMessages: 20, maxBytes: 2 ** 20 });
    // A pooled client (5 connections); past 50 connections at once the catcher answers 421, "try again".
    const pooled = nodemailer.createTransport({
      host: '127.0.0.1',
      port: (catcher as unknown as { port: number }).port,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: 5,
    });
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        pooled.sendMail({ from: 'a@test.com', to: 'flood@test.com', subject: `m${i}`, text: 'y'.repeat(2000) }),
      ),
    );
    pooled.close();
    expect(store.count).toBe(20);
    expect(store.dropped).toBe(40);
    expect(fs.readdirSync(store.dir).filter((f) => f.endsWith('.eml'))).toHaveLength(20);
  });
});
