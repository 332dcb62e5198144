// The appliance's mail catcher: an SMTP server on 127.0.0.1 (smtp-server) that keeps every message it is given in the
// MailStore and delivers nothing. In the core's process: ~11 ms to listen and +0.2 MB of RSS (measured), where Mailpit
// as a sixth service would be a Go process of its own to build, start, supervise and fit in the memory budget.
import { SMTPServer } from 'smtp-server';
import type { MailStore } from './mail-store.js';

/** The largest message it takes; a bigger one is refused with SMTP's 552, and counted. */
export const MAX_MAIL_BYTES = 10 * 2 ** 20;

export class SmtpCatcher {
  private server?: SMTPServer;
  /** Messages refused for their size, since the start. */
  refused = 0;

  constructor(
    private readonly store: MailStore,
    private readonly port: number,
    private readonly log: (message: string) => void,
  ) {}

  async start(): Promise<void> {
    const server = new SMTPServer({
      banner: 'apprun mail catcher: every message is kept here, none is delivered',
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      size: MAX_MAIL_BYTES,
      maxClients: 50,
      // A client that keeps its connection open must not hold up `apprun down` (smtp-server waits 30 s by default):
      // after a second it is told 421 and closed.
      closeTimeout: 1000,
      // Clients on 127.0.0.1 only: no reverse lookup.
      disableReverseLookup: true,
      logger: false,
      onData: (stream, _session, callback) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        stream.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          // Past the bound the rest is read and thrown away: memory stays at the bound.
          if (bytes <= MAX_MAIL_BYTES) chunks.push(chunk);
        });
        stream.on('end', () => {
          if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded || bytes > MAX_MAIL_BYTES) {
            this.refused++;
            const err = Object.assign(new Error(`message exceeds the catcher's ${MAX_MAIL_BYTES} bytes`), {
              responseCode: 552,
            });
            callback(err);
            return;
          }
          this.store.add(Buffer.concat(chunks)).then(
            () => callback(),
            (err: Error) => {
              this.log(`mail catcher: a message could not be kept: ${err.message}`);
              callback(Object.assign(new Error('the catcher could not keep the message'), { responseCode: 451 }));
            },
          );
        });
      },
    });
    server.on('error', (err) => this.log(`mail catcher: ${err.message}`));
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
