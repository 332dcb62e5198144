import fs from 'node:fs';
import path from 'node:path';

/**
 * A service's output: appended to a file that rotates at maxBytes (one previous generation kept),
 * and the last lines kept in memory for the log tail API.
 */
export class LogSink {
  private lines: string[] = [];
  private partial = '';
  private fd: number | undefined;
  private size = 0;

  constructor(
    readonly file: string,
    private readonly maxLines = 2000,
    private readonly maxBytes = 5 * 1024 * 1024,
  ) {
    this.open();
  }

  write(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.push(line);
  }

  /**
   * A line from the supervisor itself (start, exit, restart), marked so it stands out from the service's own output.
   */
  note(message: string): void {
    this.push(`[apprun ${new Date().toISOString()}] ${message}`);
  }

  tail(n: number): string[] {
    const all = this.partial ? [...this.lines, this.partial] : this.lines;
    return all.slice(Math.max(0, all.length - n));
  }

  close(): void {
    if (this.partial) this.push(this.partial);
    this.partial = '';
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.maxLines) this.lines.splice(0, this.lines.length - this.maxLines);
    this.append(`${line}\n`);
  }

  private open(): void {
    this.fd = fs.openSync(this.file, 'a', 0o644);
    this.size = fs.fstatSync(this.fd).size;
  }

  private append(text: string): void {
    if (this.fd === undefined) return;
    if (this.size + text.length > this.maxBytes) {
      fs.closeSync(this.fd);
      fs.renameSync(this.file, `${this.file}.1`);
      this.open();
    }
    fs.writeSync(this.fd, text);
    this.size += Buffer.byteLength(text);
  }
}

/** One LogSink per service, made on first use under logsDir: the drivers' logs. */
export class LogSinks {
  private readonly sinks = new Map<string, LogSink>();

  constructor(private readonly logsDir: string) {}

  of(name: string): LogSink {
    let sink = this.sinks.get(name);
    if (!sink) {
      sink = new LogSink(path.join(this.logsDir, `${name}.log`));
      this.sinks.set(name, sink);
    }
    return sink;
  }

  closeAll(): void {
    for (const sink of this.sinks.values()) sink.close();
    this.sinks.clear();
  }
}
