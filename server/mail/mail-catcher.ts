import path from 'node:path';
import type { PlatformContext } from '../platform-context.js';
import { primaryOnly } from '../replica/primary-only.js';
import { DEFAULT_MAIL_LIMITS, MailStore } from './mail-store.js';
import { MAX_MAIL_BYTES, SmtpCatcher } from './smtp-catcher.js';

/**
 * The mail catcher of one gateway: its store (the home's data/mail) and its SMTP server. A second gateway on an
 * appliance has neither (the appliance's catches the mail); one on services run apart (an export) has its own.
 */
export class MailCatcher {
  readonly store?: MailStore;
  private readonly smtp?: SmtpCatcher;

  constructor(
    private readonly core: PlatformContext,
    log: (message: string) => void,
  ) {
    if (core.replica === 'appliance') return;
    this.store = new MailStore(path.join(core.home.root, 'data', 'mail'), DEFAULT_MAIL_LIMITS);
    this.smtp = new SmtpCatcher(this.store, core.ports.mail, log);
  }

  get smtpUrl(): string {
    return `smtp://127.0.0.1:${this.core.ports.mail}`;
  }

  async start(): Promise<void> {
    await this.store?.load();
    await this.smtp?.start();
  }

  requireStore(): MailStore {
    if (!this.store) throw primaryOnly('reading the caught mail');
    return this.store;
  }

  figures() {
    const store = this.requireStore();
    return {
      kept: store.count,
      bytes: store.bytes,
      maxMessages: store.limits.maxMessages,
      maxBytes: store.limits.maxBytes,
      maxMessageBytes: MAX_MAIL_BYTES,
      dropped: store.dropped,
      refused: this.smtp?.refused ?? 0,
      smtp: this.smtpUrl,
    };
  }

  async stop(): Promise<void> {
    await this.smtp?.stop();
  }
}
