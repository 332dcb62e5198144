// The Temporal worker inside the core: task queue "apprun", the registration workflow and its activities.
import type { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ActivityInterceptorsFactory,
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import type pg from 'pg';
import { packageRoot } from '../../stack/package-root.js';
import { createActivities, type MailSender } from './activities.js';
import { temporalContext } from './context-stores.js';
import { TASK_QUEUE } from './registration.js';

/** Where `npm run build` writes the workflow bundle (webpack, via @temporalio/worker's bundleWorkflowCode). */
export const WORKFLOW_BUNDLE = path.join('dist', 'workflow-bundle.js');

export interface WorkflowWorkerOptions {
  address: string;
  db: pg.Pool;
  /** The SDK's own log (activity failures, retries, worker state): a file, so the CLI's output stays readable. */
  logFile: string;
  onEvent(step: string): void;
  /** OpenTelemetry's activity interceptors, when it is on (read at each worker start). */
  activityInterceptors?: () => ActivityInterceptorsFactory[];
  /** The welcome mail's way out (the mail catcher's SMTP). */
  mail?: MailSender;
}

export type WorkerState = 'starting' | 'running' | 'stopped' | 'failed';

let runtimeInstalled = false;
/** The SDK's process-wide runtime, once: its log goes to the file, and the core (not the SDK) handles signals. */
function installRuntime(logFile: string): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const log = fs.createWriteStream(logFile, { flags: 'a', mode: 0o600 });
  Runtime.install({
    shutdownSignals: [],
    logger: new DefaultLogger('INFO', ({ level, message, meta, timestampNanos }) => {
      const details = meta && Object.keys(meta).length ? ` ${JSON.stringify(meta)}` : '';
      log.write(`${new Date(Number(timestampNanos / 1_000_000n)).toISOString()} ${level} ${message}${details}\n`);
    }),
  });
}

/**
 * The prebuilt bundle. From the TypeScript sources (tests), a bundle older than the workflow sources is rebuilt at
 * start instead (~1.5 s), so a stale build never runs old workflow code.
 */
function workflowCode(): { workflowBundle: WorkflowBundleOption } | { workflowsPath: string } {
  const codePath = path.join(packageRoot(), WORKFLOW_BUNDLE);
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) {
    if (!fs.existsSync(codePath)) throw new Error(`${WORKFLOW_BUNDLE} is missing: run npm run build`);
    return { workflowBundle: { codePath } };
  }
  const sources = ['workflows.ts', 'registration.ts'].map((f) => path.join(path.dirname(here), f));
  const built = fs.existsSync(codePath) ? fs.statSync(codePath).mtimeMs : 0;
  if (sources.every((s) => fs.statSync(s).mtimeMs <= built)) return { workflowBundle: { codePath } };
  return { workflowsPath: sources[0]! };
}

/** Runs the worker until stop(); restartable, so a test (or the dashboard) can take it down mid-workflow. */
export class WorkflowWorker {
  private worker?: Worker;
  private connection?: NativeConnection;
  private running?: Promise<void>;
  private failure?: string;
  private stopping = false;
  private retryTimer?: NodeJS.Timeout;
  private failures = 0;

  constructor(private readonly options: WorkflowWorkerOptions) {}

  get state(): { state: WorkerState; error?: string } {
    if (this.failure) return { state: 'failed', error: this.failure };
    if (!this.worker) return { state: 'stopped' };
    const s = this.worker.getState();
    return { state: s === 'RUNNING' ? 'running' : s === 'INITIALIZED' ? 'starting' : 'stopped' };
  }

  async start(): Promise<void> {
    if (this.worker) return;
    installRuntime(this.options.logFile);
    this.stopping = false;
    this.failure = undefined;
    const t0 = performance.now();
    this.connection = await temporalContext.call(() => NativeConnection.connect({ address: this.options.address }));
    temporalContext.add(this.connection.callContextStorage as AsyncLocalStorage<unknown>);
    const connection = this.connection;
    this.worker = await temporalContext.call(() =>
      Worker.create({
        connection,
        namespace: 'default',
        taskQueue: TASK_QUEUE,
        ...workflowCode(),
        activities: createActivities(this.options.db, this.options.mail),
        identity: `apprun-core@${process.pid}`,
        maxCachedWorkflows: 100,
        interceptors: { activity: this.options.activityInterceptors?.() ?? [] },
        shutdownGraceTime: '2 seconds',
      }),
    );
    const worker = this.worker;
    temporalContext.countActivities(() => worker.getStatus().numInFlightActivities);
    // An activity's context (and the connection's, around its calls) stays on until the last one running has ended.
    worker.numInFlightActivities$.subscribe((n) => n === 0 && temporalContext.release());
    this.running = worker.run().then(
      () => {
        this.failures = 0;
      },
      (err: Error) => this.restartAfter(err),
    );
    this.options.onEvent(`worker polling task queue "${TASK_QUEUE}" (${Math.round(performance.now() - t0)} ms)`);
  }

  /**
   * A worker that fails (not one that is stopped) comes back, after 1, 2, 4 … 30 s: workflows wait in Temporal
   * meanwhile.
   */
  private restartAfter(err: Error): void {
    this.failure = err.message;
    this.forgetConnection();
    void this.connection?.close().catch(() => undefined);
    this.worker = undefined;
    this.connection = undefined;
    if (this.stopping) return;
    const delayMs = Math.min(30_000, 1000 * 2 ** this.failures++);
    this.options.onEvent(`worker failed (${err.message}); restarting in ${delayMs / 1000} s`);
    this.retryTimer = setTimeout(() => {
      this.start().catch((e: Error) => this.restartAfter(e));
    }, delayMs);
    this.retryTimer.unref();
  }

  private forgetConnection(): void {
    if (this.connection) temporalContext.remove(this.connection.callContextStorage as AsyncLocalStorage<unknown>);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retryTimer);
    const worker = this.worker;
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await this.running;
    // Also a connection whose worker was never created (a start that failed half-way).
    this.forgetConnection();
    await this.connection?.close().catch(() => undefined);
    this.worker = undefined;
    this.connection = undefined;
    this.running = undefined;
  }
}
