import path from 'node:path';
import type { CoreState } from '../server/core-state';
import type { UtilityProcessFactoryLike, UtilityProcessLike } from './electron-like';

type CoreMessage =
  | { type: 'ready'; state: CoreState }
  | { type: 'progress'; event: { service?: string; step: string } }
  | { type: 'failed'; message: string }
  | { type: 'stopped' };

/**
 * glibc keeps what a finished thread freed (the function preparation thread's binaryen, ~80 MB after a deploy) unless
 * large blocks get mappings of their own and the heap top is trimmed: measured, the core's resident memory after a
 * deploy and a workflow was 268 MB without these and 172 MB with them (same steps, same machine).
 */
export const ALLOCATOR_ENV = { MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' };

/** The headless core in a utilityProcess: started with the app, stopped (no orphans) when the app quits. */
export class CoreProcess {
  private child?: UtilityProcessLike;
  state?: CoreState;

  /** stopTimeoutMs: how long the core may take to stop its services before it is killed. */
  constructor(
    private readonly appRoot: string,
    private readonly utilityProcess: UtilityProcessFactoryLike,
    private readonly stopTimeoutMs = 30_000,
  ) {}

  start(onProgress: (line: string) => void): Promise<CoreState> {
    const child = this.utilityProcess.fork(path.join(this.appRoot, 'dist', 'desktop-core.js'), [], {
      serviceName: 'apprun core',
      stdio: 'inherit',
      env: { ...process.env, ...ALLOCATOR_ENV },
    });
    this.child = child;
    return new Promise((resolve, reject) => {
      child.on('message', (received) => {
        const message = received as CoreMessage;
        if (message.type === 'progress') onProgress(`${message.event.service ?? 'core'}: ${message.event.step}`);
        if (message.type === 'ready') {
          this.state = message.state;
          resolve(message.state);
        }
        if (message.type === 'failed') reject(new Error(message.message));
      });
      child.once('exit', (code) => reject(new Error(`the apprun core exited (${code}) before it was ready`)));
    });
  }

  /** Asks the core to stop its services in order; kills it if it has not finished within the timeout. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.postMessage({ type: 'stop' });
    const timer = setTimeout(() => child.kill(), this.stopTimeoutMs);
    await exited;
    clearTimeout(timer);
  }
}
