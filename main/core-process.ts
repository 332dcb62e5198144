import path from 'node:path';
import { type UtilityProcess, utilityProcess } from 'electron';
import type { CoreState } from '../server/core';

type CoreMessage = { type: 'ready'; state: CoreState } | { type: 'progress'; event: { service?: string; step: string } } | { type: 'failed'; message: string } | { type: 'stopped' };

/** The headless core in a utilityProcess: started with the app, stopped (no orphans) when the app quits. */
export class CoreProcess {
  private child?: UtilityProcess;
  state?: CoreState;

  constructor(private readonly appRoot: string) {}

  start(onProgress: (line: string) => void): Promise<CoreState> {
    this.child = utilityProcess.fork(path.join(this.appRoot, 'dist', 'desktop-core.js'), [], { serviceName: 'apprun core', stdio: 'inherit' });
    return new Promise((resolve, reject) => {
      this.child!.on('message', (message: CoreMessage) => {
        if (message.type === 'progress') onProgress(`${message.event.service ?? 'core'}: ${message.event.step}`);
        if (message.type === 'ready') resolve((this.state = message.state));
        if (message.type === 'failed') reject(new Error(message.message));
      });
      this.child!.once('exit', (code) => reject(new Error(`the apprun core exited (${code}) before it was ready`)));
    });
  }

  /** Asks the core to stop its services in order; kills it if it has not finished in 30 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.postMessage({ type: 'stop' });
    const timer = setTimeout(() => child.kill(), 30_000);
    await exited;
    clearTimeout(timer);
  }
}
