// The caught mail, kept in the home (data/mail: one .eml per message and an index), so it outlives a restart and is
// part of every snapshot. Bounded by count and by bytes: the oldest go first, counted, never the appliance's memory.
import { EventEmitter } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import { type AddressObject, simpleParser } from 'mailparser';

export interface MailSummary {
  id: string;
  from: string;
  to: string[];
  subject: string;
  /** When it was caught (ISO). */
  receivedAt: string;
  size: number;
}

export interface MailMessage extends MailSummary {
  text: string;
  html: string | null;
  /** Every link in the text and the HTML, in order, once each. */
  links: string[];
  /** Codes a person would type: 6 to 8 digits on their own. */
  codes: string[];
}

export interface MailFilter {
  to?: string;
  subject?: string;
  /** Only messages caught after this one (ids sort by arrival): what a follower has not seen. */
  after?: string;
  limit?: number;
}

export interface MailLimits {
  maxMessages: number;
  maxBytes: number;
}

export const DEFAULT_MAIL_LIMITS: MailLimits = { maxMessages: 1000, maxBytes: 50 * 2 ** 20 };
const INDEX = 'index.json';

const addresses = (value: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(value) ? value : value ? [value] : []).flatMap((a) =>
    a.value.map((v) => v.address?.toLowerCase()).filter((x): x is string => !!x),
  );

/** What a filter keeps: a recipient containing `to`, a subject containing `subject` (both case-blind). */
const matches = (m: MailSummary, f: MailFilter) =>
  (!f.after || m.id > f.after) &&
  (!f.to || m.to.some((t) => t.includes(f.to!.toLowerCase()))) &&
  (!f.subject || m.subject.toLowerCase().includes(f.subject.toLowerCase()));

export class MailStore extends EventEmitter {
  private messages: MailSummary[] = [];
  private sequence = 0;
  private writing: Promise<void> = Promise.resolve();
  /** Messages dropped to stay within the bounds, since the start. */
  dropped = 0;

  constructor(
    readonly dir: string,
    readonly limits: MailLimits = DEFAULT_MAIL_LIMITS,
  ) {
    super();
    this.setMaxListeners(0); // every waiting request listens
  }

  /** Reads the index (after a start or a restore); a missing or broken one is rebuilt from the messages. */
  async load(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    try {
      this.messages = JSON.parse(await fs.readFile(path.join(this.dir, INDEX), 'utf8')) as MailSummary[];
    } catch {
      this.messages = [];
      const files = (await fs.readdir(this.dir)).filter((f) => f.endsWith('.eml')).sort();
      for (const file of files) {
        const raw = await fs.readFile(path.join(this.dir, file));
        this.messages.push(await this.summarize(file.slice(0, -4), raw));
      }
    }
  }

  get count(): number {
    return this.messages.length;
  }

  get bytes(): number {
    return this.messages.reduce((sum, m) => sum + m.size, 0);
  }

  /** Keeps one message; the oldest are dropped past the bounds. */
  async add(raw: Buffer): Promise<MailSummary> {
    const id = `${Date.now().toString(36).padStart(9, '0')}-${(this.sequence++ % 46656).toString(36).padStart(3, '0')}`;
    const summary = await this.summarize(id, raw);
    await fs.writeFile(path.join(this.dir, `${id}.eml`), raw, { mode: 0o600 });
    this.messages.push(summary);
    const gone: MailSummary[] = [];
    while (
      this.messages.length > this.limits.maxMessages ||
      (this.messages.length > 1 && this.bytes > this.limits.maxBytes)
    )
      gone.push(this.messages.shift()!);
    this.dropped += gone.length;
    await Promise.all(gone.map((m) => fs.rm(path.join(this.dir, `${m.id}.eml`), { force: true })));
    await this.saveIndex();
    this.emit('mail', summary);
    return summary;
  }

  /** Newest first. */
  list(filter: MailFilter = {}): MailSummary[] {
    const found = this.messages.filter((m) => matches(m, filter)).reverse();
    return found.slice(0, filter.limit ?? 50);
  }

  /** The matching messages now, or once one arrives within `seconds` (or none, when `signal` aborts first). */
  async waitFor(filter: MailFilter, seconds: number, signal?: AbortSignal): Promise<MailSummary[]> {
    const now = this.list(filter);
    if (now.length || seconds <= 0 || signal?.aborted) return now;
    return new Promise((resolve) => {
      const done = (found: MailSummary[]) => {
        clearTimeout(timer);
        this.off('mail', onMail);
        signal?.removeEventListener('abort', onAbort);
        resolve(found);
      };
      const onMail = (m: MailSummary) => {
        if (matches(m, filter)) done(this.list(filter));
      };
      const onAbort = () => done([]);
      // A waiting request never holds the process open (a stop, a test run's end).
      const timer = setTimeout(() => done([]), seconds * 1000).unref();
      this.on('mail', onMail);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async raw(id: string): Promise<Buffer | undefined> {
    if (!this.messages.some((m) => m.id === id)) return undefined;
    return fs.readFile(path.join(this.dir, `${id}.eml`)).catch(() => undefined);
  }

  async get(id: string): Promise<MailMessage | undefined> {
    const summary = this.messages.find((m) => m.id === id);
    const raw = await this.raw(id);
    if (!summary || !raw) return undefined;
    const parsed = await simpleParser(raw);
    const text = parsed.text ?? '';
    const html = typeof parsed.html === 'string' ? parsed.html : null;
    const links = [
      ...(text.match(/https?:\/\/[^\s"'<>)\]]+/g) ?? []),
      ...[...(html ?? '').matchAll(/href="(https?:\/\/[^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&')),
    ];
    const codes = [
      ...`${text} ${(html ?? '').replace(/<[^>]*>/g, ' ')}`.matchAll(/(?<![\d\w])(\d{6,8})(?![\d\w])/g),
    ].map((m) => m[1]!);
    return { ...summary, text, html, links: [...new Set(links)], codes: [...new Set(codes)] };
  }

  async clear(): Promise<number> {
    const n = this.messages.length;
    const gone = this.messages;
    this.messages = [];
    await Promise.all(gone.map((m) => fs.rm(path.join(this.dir, `${m.id}.eml`), { force: true })));
    await this.saveIndex();
    return n;
  }

  private async summarize(id: string, raw: Buffer): Promise<MailSummary> {
    // Headers only: the body is parsed when a message is read.
    const headerEnd = raw.indexOf('\r\n\r\n') >= 0 ? raw.indexOf('\r\n\r\n') : raw.indexOf('\n\n');
    const parsed = await simpleParser(headerEnd >= 0 ? raw.subarray(0, headerEnd + 2) : raw, { skipTextToHtml: true });
    return {
      id,
      from: addresses(parsed.from)[0] ?? '',
      to: [...addresses(parsed.to), ...addresses(parsed.cc)],
      subject: parsed.subject ?? '',
      receivedAt: new Date().toISOString(),
      size: raw.length,
    };
  }

  /** One index write at a time, each the latest list (written beside and renamed: never half a file). */
  private saveIndex(): Promise<void> {
    this.writing = this.writing.then(async () => {
      const tmp = path.join(this.dir, `${INDEX}.tmp`);
      await fs.writeFile(tmp, JSON.stringify(this.messages), { mode: 0o600 });
      await fs.rename(tmp, path.join(this.dir, INDEX));
    });
    return this.writing;
  }
}
