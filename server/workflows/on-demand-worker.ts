// The Temporal worker, started when there is work for it: its SDK, native runtime and workflow thread are ~50 MB of the
// appliance and ~0.4 s of the start that a developer who never runs a workflow should not pay.
import type { WorkerState, WorkflowWorker, WorkflowWorkerOptions } from './worker.js';

/** While idle, how often Temporal is asked whether a workflow (started elsewhere, e.g. its CLI) waits for the worker. */
const WATCH_INTERVAL_MS = 10_000;

export interface OnDemandWorkerOptions extends WorkflowWorkerOptions {
  /** Whether a workflow of the worker's task queue is open (running, or waiting on a timer or a retry). */
  hasOpenWorkflows(): Promise<boolean>;
}

export type OnDemandWorkerState = { state: WorkerState | 'idle'; error?: string };

/**
 * Starts the worker on the first workflow, at start when one is open (left running by the last session or restored
 * from a snapshot), or when one appears while idle; once started it runs until stop(), restarting itself on failure.
 */
export class OnDemandWorker {
  private worker?: WorkflowWorker;
  private starting?: Promise<void>;
  private startFailure?: string;
  private watch?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly options: OnDemandWorkerOptions) {}

  get state(): OnDemandWorkerState {
    if (this.worker) return this.worker.state;
    if (this.starting) return { state: 'starting' };
    return this.startFailure ? { state: 'failed', error: this.startFailure } : { state: 'idle' };
  }

  /** At the core's start: the worker now if a workflow waits for it, else idle and watching. */
  async startIfNeeded(): Promise<void> {
    // When Temporal cannot say, the worker starts: an open workflow must never wait for one.
    const open = await this.options.hasOpenWorkflows().catch(() => true);
    if (open) return this.start();
    this.options.onEvent('worker idle: it starts with the first workflow');
    this.watchWhileIdle();
  }

  /** Resolves once the worker polls; concurrent callers share one start, and a failed start is retried by the next. */
  start(): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('the workflow worker is stopped'));
    if (this.worker) return Promise.resolve(); // every workflow after the first
    this.starting ??= this.startOnce().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /**
   * Back to idle (Temporal is going to sleep, with no workflow open): the worker stops, and the next workflow, or one
   * that appears, starts it again.
   */
  async idle(): Promise<void> {
    if (this.stopped) return;
    await this.starting?.catch(() => undefined);
    const worker = this.worker;
    this.worker = undefined;
    await worker?.stop();
    if (worker) this.options.onEvent('worker idle: Temporal sleeps; it starts with the next workflow');
    clearInterval(this.watch);
    this.watchWhileIdle();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watch);
    await this.starting?.catch(() => undefined);
    await this.worker?.stop();
  }

  private async startOnce(): Promise<void> {
    // The SDK (and its native module) load here, not with the rest of the core.
    const { WorkflowWorker } = await import('./worker.js');
    const worker = new WorkflowWorker(this.options);
    try {
      await worker.start();
    } catch (err) {
      this.startFailure = (err as Error).message;
      await worker.stop().catch(() => undefined);
      throw err;
    }
    if (this.stopped) return worker.stop();
    this.startFailure = undefined;
    this.worker = worker;
    clearInterval(this.watch);
  }

  private watchWhileIdle(): void {
    this.watch = setInterval(() => {
      if (this.worker || this.starting) return;
      this.options
        .hasOpenWorkflows()
        .then((open) => (open ? this.start() : undefined))
        .catch(() => undefined); // Temporal down or the start failed: the state says so, the next tick retries
    }, WATCH_INTERVAL_MS);
    this.watch.unref();
  }
}
