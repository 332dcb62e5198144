import { adminApi } from '../api/contract.js';
import type { MailMessageView, MailSummaryView } from '../api/views.js';
import { CliError, defineCommand, requireRunning } from './command.js';
import { stopOnSignals } from './internal/foreground.js';

const line = (m: MailSummaryView) =>
  `${m.id}  ${new Date(m.receivedAt).toLocaleTimeString()}  ${m.to.join(', ')}  ${m.subject}`;

/** One message for a terminal: its headers, its text, then the links and codes found in it. */
export function formatMail(m: MailMessageView): string {
  return [
    `From: ${m.from}`,
    `To: ${m.to.join(', ')}`,
    `Subject: ${m.subject}`,
    `Caught: ${m.receivedAt} (${m.size} bytes)`,
    '',
    m.text.trimEnd(),
    '',
    ...(m.codes.length ? [`codes: ${m.codes.join(', ')}`] : []),
    ...m.links.map((l) => `link: ${l}`),
  ].join('\n');
}

export const mailCommand = defineCommand({
  name: 'mail',
  summary: 'the mail the appliance caught (Kratos’ codes, the workflows’, your app’s): list, read, follow',
  args: '[ID]',
  details:
    'Every mail sent to the mail catcher (smtp://127.0.0.1:<mail port>, see `apprun status`) is kept, newest first; ' +
    'none leaves the machine. With ID: that message, its text, links and codes. --follow prints each new one.',
  options: {
    to: { type: 'string', value: 'ADDR', description: 'only mail to a recipient containing ADDR' },
    subject: { type: 'string', value: 'TEXT', description: 'only mail whose subject contains TEXT' },
    limit: { type: 'string', value: 'N', description: 'at most N messages (default 20)' },
    follow: { type: 'boolean', description: 'stay, and print each new message as it arrives (Ctrl-C stops)' },
    clear: { type: 'boolean', description: 'throw every caught message away' },
  },
  async run({ args, options, home }) {
    const [id, ...extra] = args;
    if (extra.length) throw new CliError('usage: apprun mail [ID] [--to ADDR] [--follow]');
    const limit = options.limit === undefined ? 20 : Number(options.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new CliError('--limit takes a whole number from 1 to 1000');
    const api = adminApi(await requireRunning(home), { timeoutMs: 60_000 });
    if (options.clear) {
      process.stdout.write(`cleared ${(await api.clearMail()).cleared} messages\n`);
      return;
    }
    if (id) {
      process.stdout.write(`${formatMail(await api.mailMessage(id))}\n`);
      return;
    }
    const filter = { to: options.to, subject: options.subject };
    const list = await api.mail({ ...filter, limit });
    if (!options.follow) {
      if (!list.messages.length) process.stdout.write(`no mail caught yet; apps send to ${list.smtp}\n`);
      for (const m of list.messages) process.stdout.write(`${line(m)}\n`);
      return;
    }
    // Follow: the newest first, then each new one (a long poll of 25 s at a time).
    let after = list.messages[0]?.id;
    for (const m of [...list.messages].reverse()) process.stdout.write(`${line(m)}\n`);
    process.stdout.write(`-- following the mail to ${list.smtp} (Ctrl-C stops)\n`);
    const foreground = stopOnSignals(async () => undefined);
    while (!foreground.stopping) {
      const next = await api.mail({ ...filter, after, limit: 1000, wait: 25 }).catch(() => undefined);
      if (!next) await new Promise((r) => setTimeout(r, 1000));
      for (const m of [...(next?.messages ?? [])].reverse()) process.stdout.write(`${line(m)}\n`);
      after = next?.messages[0]?.id ?? after;
    }
  },
});
