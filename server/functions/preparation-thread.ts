import { Worker } from 'node:worker_threads';
import { entryPoint } from '../entry-points.js';
import { ModuleRejected } from './memory-cap.js';
import type { PrepareReply, PrepareRequest } from './preparation-worker.js';
import { FunctionFailure } from './sandbox.js';

/**
 * What a failure inside the thread (binaryen aborting, V8 running out of memory) says, as one line for a 400: its first
 * line, without file paths or a stack, which would tell a caller about the appliance's insides.
 */
export function failureReason(message: string): string {
  const first = message.split('\n', 1)[0]!.replace(/\s+at\s.*$/, '');
  return (
    first
      .replace(/(?:file:\/\/)?(?:\/[\w.@+-]+){2,}(?::\d+)*/g, '…')
      .slice(0, 300)
      .trim() || 'unknown error'
  );
}

/** A preparation that takes longer is a module the sandbox will not run. */
export const PREPARE_TIMEOUT_MS = 20_000;
/** The thread is kept this long after its last job (deploys come in bursts), then ended to give its memory back. */
const IDLE_MS = 30_000;
/** Deploys waiting for the thread; more are refused at once. */
const MAX_WAITING = 4;

/**
 * Prepares modules on a thread of its own, one at a time, with a time limit: a module that makes binaryen run long,
 * crash or overflow its stack is refused (400) and the thread replaced, and the gateway never waits on it.
 */
export class PreparationThread {
  private worker?: Worker;
  private idleTimer?: NodeJS.Timeout;
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private nextId = 0;

  prepare(
    bytes: Uint8Array<ArrayBuffer>,
    maxMemoryPages: number,
    network: boolean,
  ): Promise<{ bytes: Uint8Array<ArrayBuffer>; prepareMs: number }> {
    if (this.waiting >= MAX_WAITING)
      return Promise.reject(
        new FunctionFailure('overloaded', `${this.waiting} deploys are already being prepared; try again shortly`),
      );
    this.waiting++;
    const run = this.tail.then(() => this.run({ id: ++this.nextId, bytes, maxMemoryPages, network }));
    this.tail = run.catch(() => undefined).finally(() => this.waiting--);
    return run;
  }

  async stop(): Promise<void> {
    clearTimeout(this.idleTimer);
    await this.worker?.terminate();
    this.worker = undefined;
  }

  private thread(): Worker {
    clearTimeout(this.idleTimer);
    if (!this.worker) {
      this.worker = new Worker(entryPoint('preparation-worker', new URL('./preparation-worker.ts', import.meta.url)), {
        name: 'apprun-prepare',
        resourceLimits: { maxOldGenerationSizeMb: 256, stackSizeMb: 8 },
      });
      this.worker.unref();
    }
    return this.worker;
  }

  private retire(worker: Worker): void {
    if (this.worker === worker) this.worker = undefined;
    void worker.terminate();
  }

  private run(req: PrepareRequest): Promise<{ bytes: Uint8Array<ArrayBuffer>; prepareMs: number }> {
    const worker = this.thread();
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      };
      const timer = setTimeout(() => {
        done();
        this.retire(worker);
        reject(
          new ModuleRejected(
            `preparing the module took longer than ${PREPARE_TIMEOUT_MS / 1000} s; it is too large or too complex ` +
              `for the sandbox`,
          ),
        );
      }, PREPARE_TIMEOUT_MS);
      const onMessage = (reply: PrepareReply) => {
        if (reply.id !== req.id) return;
        done();
        // A refusal by the checks leaves the thread as it was; binaryen failing (an abort) may leave it in a bad
        // state, so the next preparation gets a fresh thread. (Each new thread costs memory the process keeps.)
        if (reply.ok || reply.rejected) this.idleTimer = setTimeout(() => this.retire(worker), IDLE_MS).unref();
        else this.retire(worker);
        if (reply.ok) resolve({ bytes: reply.bytes, prepareMs: reply.prepareMs });
        else
          reject(
            new ModuleRejected(
              reply.rejected ? reply.message : `the module could not be prepared: ${failureReason(reply.message)}`,
            ),
          );
      };
      const onError = (err: Error) => {
        done();
        this.retire(worker);
        reject(new ModuleRejected(`the module could not be prepared: ${failureReason(err.message)}`));
      };
      const onExit = () => {
        done();
        this.retire(worker);
        reject(new ModuleRejected('the module could not be prepared: its thread ended'));
      };
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      worker.postMessage(req);
    });
  }
}
