import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { entryPoint } from '../entry-points.js';
import { answerHttp, failed } from './host-http.js';
import { checkInput, FunctionFailure, type Limits, type Timings } from './sandbox.js';
import type { FromWorker, FunctionWorkerData, InvokeMessage, ToWorker } from './worker-protocol.js';

export interface PoolOptions {
  /**
   * Threads that run functions: two more than the cores (at least four), so that tenants spinning at their plan's
   * concurrency still leave a thread for others, and the OS shares the cores among them and the gateway's loop.
   */
  workers: number;
  /** Invocations waiting for a thread, over all tenants; more is a 503 at once. */
  maxQueued: number;
  /** The longest an invocation waits for a thread before it is refused as overloaded. */
  maxQueueWaitMs: number;
  /** How long past its deadline a thread that has not answered gets before it is terminated and replaced. */
  killGraceMs: number;
  /**
   * Warm instances' memory over all threads (linear memory, tables, instance overhead); least recently used go first.
   */
  warmBudgetBytes: number;
  /** Compiled modules kept per thread. */
  maxModulesPerWorker: number;
}

export const DEFAULT_POOL: PoolOptions = {
  workers: Math.max(4, availableParallelism() + 2),
  maxQueued: 64,
  maxQueueWaitMs: 2000,
  killGraceMs: 250,
  // Its share of the appliance's part of the 1 GB budget: a function may use up to 64 MiB, so several fit.
  warmBudgetBytes: 192 * 1024 * 1024,
  maxModulesPerWorker: 256,
};

/** What one invocation needs: the prepared module, its limits, and who calls. */
export interface PoolInvocation {
  tenant: string;
  /** One deployed version of one function (`<tenant>/<name>/<sha256>`). */
  key: string;
  /** The prepared module; only read when a thread has not compiled this key yet. */
  module: () => Uint8Array<ArrayBuffer>;
  limits: Limits;
  /** How many invocations of this tenant may run or wait at once (from its plan). */
  tenantConcurrency: number;
  allowedHosts: string[];
  input: Uint8Array;
  context: Uint8Array;
}

export interface PoolTimings extends Timings {
  /** Time spent waiting for a free thread. */
  queueMs: number;
}

interface Job {
  id: number;
  call: PoolInvocation;
  queuedAt: number;
  resolve(result: { output: Uint8Array; timings: PoolTimings }): void;
  reject(err: FunctionFailure): void;
  queueTimer?: NodeJS.Timeout;
}

interface Slot {
  thread: Worker;
  signal: Int32Array;
  answers: MessagePort;
  job?: Job;
  startedAt?: number;
  deadlineTimer?: NodeJS.Timeout;
  /** Keys this thread has compiled, most recently used last. */
  compiled: Set<string>;
  /** Keys with a warm instance here, and what each costs. */
  warm: Map<string, number>;
  /** When it last finished a job (or started): an idle thread is let go after a while (releaseIdle). */
  lastUsedAt: number;
}

export interface PoolStats {
  workers: number;
  busy: number;
  queued: number;
  warmBytes: number;
  warmBudgetBytes: number;
  replacedWorkers: number;
}

/**
 * Runs every function invocation on a pool of worker threads, so a slow, hung or spinning function costs only its own
 * invocation and the gateway's event loop keeps serving. Per-tenant concurrency (429 at once beyond it), a bounded
 * queue (503 at once beyond it), a deadline enforced from outside (a thread that overruns is terminated and
 * replaced), and a memory budget for warm instances across threads.
 */
export class FunctionPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly perTenant = new Map<string, number>();
  private nextId = 0;
  private replaced = 0;
  private stopped = false;

  /** Threads start on demand, up to options.workers: an appliance that runs no function keeps none (~10 MB each). */
  constructor(readonly options: PoolOptions = DEFAULT_POOL) {}

  async invoke(call: PoolInvocation): Promise<{ output: Uint8Array; timings: PoolTimings }> {
    checkInput(call.input, call.limits);
    const active = this.perTenant.get(call.tenant) ?? 0;
    if (active >= call.tenantConcurrency) {
      throw new FunctionFailure(
        'rate_limited',
        `your tenant already has ${active} function invocations running or waiting; its plan allows ` +
          `${call.tenantConcurrency} at once`,
      );
    }
    const idle = this.slots.some((s) => !s.job) || this.slots.length < this.options.workers;
    if (!idle && this.queue.length >= this.options.maxQueued) {
      throw new FunctionFailure(
        'overloaded',
        `every function thread is busy and ${this.queue.length} invocations are waiting; try again shortly`,
      );
    }
    this.perTenant.set(call.tenant, active + 1);
    return new Promise((resolve, reject) => {
      const job: Job = { id: ++this.nextId, call, queuedAt: performance.now(), resolve, reject };
      this.queue.push(job);
      this.pump();
      if (this.queue.includes(job)) {
        job.queueTimer = setTimeout(() => {
          const at = this.queue.indexOf(job);
          if (at === -1) return;
          this.queue.splice(at, 1);
          this.finish(
            job,
            new FunctionFailure(
              'overloaded',
              `no function thread was free within ${this.options.maxQueueWaitMs} ms; try again shortly`,
            ),
          );
        }, this.options.maxQueueWaitMs);
      }
    });
  }

  /** Drops a function version from every thread (it was redeployed or deleted). */
  unload(key: string): void {
    for (const slot of this.slots) {
      if (!slot.compiled.has(key)) continue;
      slot.compiled.delete(key);
      slot.warm.delete(key);
      this.post(slot, { type: 'evict', key, module: true });
    }
  }

  stats(): PoolStats {
    return {
      workers: this.slots.length,
      busy: this.slots.filter((s) => s.job).length,
      queued: this.queue.length,
      warmBytes: this.warmBytes(),
      warmBudgetBytes: this.options.warmBudgetBytes,
      replacedWorkers: this.replaced,
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const job of this.queue.splice(0))
      this.finish(job, new FunctionFailure('overloaded', 'the gateway is stopping'));
    await Promise.all(this.slots.map((s) => s.thread.terminate()));
  }

  /**
   * Lets go of the threads that ran nothing for idleForMs (their warm instances with them): an appliance nobody calls
   * gives their memory back, and the next invocation starts a thread again. Returns how many it let go.
   */
  releaseIdle(idleForMs: number): number {
    const now = performance.now();
    const idle = this.slots.filter((s) => !s.job && now - s.lastUsedAt >= idleForMs);
    for (const slot of idle) {
      this.slots.splice(this.slots.indexOf(slot), 1);
      void slot.thread.terminate();
      slot.answers.close();
    }
    return idle.length;
  }

  private spawn(): Slot {
    const signal = new SharedArrayBuffer(4);
    const { port1: answers, port2: workerAnswers } = new MessageChannel();
    const workerData: FunctionWorkerData = { signal, answers: workerAnswers };
    const thread = new Worker(entryPoint('function-worker', new URL('./function-worker.ts', import.meta.url)), {
      workerData,
      transferList: [workerAnswers],
      name: 'apprun-function',
      // The JS side of a worker is small; a function's linear memory is capped by its module, not by these.
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    });
    thread.unref();
    const slot: Slot = {
      thread,
      signal: new Int32Array(signal),
      answers,
      compiled: new Set(),
      warm: new Map(),
      lastUsedAt: performance.now(),
    };
    thread.on('message', (msg: FromWorker) => this.onMessage(slot, msg));
    thread.on('error', (err) => this.onThreadGone(slot, `the function's thread failed: ${err.message}`));
    thread.on('exit', () => this.onThreadGone(slot, "the function's thread exited"));
    return slot;
  }

  private post(slot: Slot, msg: ToWorker): void {
    slot.thread.postMessage(msg);
  }

  /** Gives waiting jobs to free threads: one that has the function warm, else one that has it compiled, else any. */
  private pump(): void {
    while (this.queue.length) {
      const free = this.slots.filter((s) => !s.job);
      if (!free.length && this.slots.length < this.options.workers && !this.stopped) {
        const slot = this.spawn();
        this.slots.push(slot);
        free.push(slot);
      }
      if (!free.length) return;
      const job = this.queue.shift()!;
      clearTimeout(job.queueTimer);
      const { key } = job.call;
      const slot = free.find((s) => s.warm.has(key)) ?? free.find((s) => s.compiled.has(key)) ?? free[0]!;
      this.run(slot, job);
    }
  }

  private run(slot: Slot, job: Job): void {
    const { call } = job;
    slot.job = job;
    slot.startedAt = performance.now();
    const known = slot.compiled.has(call.key);
    const msg: InvokeMessage = {
      type: 'invoke',
      id: job.id,
      key: call.key,
      module: known ? undefined : call.module(),
      limits: call.limits,
      input: call.input,
      context: call.context,
      network: call.allowedHosts.length > 0,
    };
    slot.deadlineTimer = setTimeout(() => this.kill(slot, job), call.limits.timeoutMs + this.options.killGraceMs);
    this.post(slot, msg);
  }

  private onMessage(slot: Slot, msg: FromWorker): void {
    const job = slot.job;
    if (msg.type === 'http') {
      const hosts = job?.call.allowedHosts ?? [];
      void answerHttp(msg, hosts)
        .catch((err: Error) => failed(msg.seq, `request failed: ${err.message}`))
        .then((answer) => {
          // Post first, then wake: the worker looks for the answer after every wake-up.
          slot.answers.postMessage(answer);
          Atomics.store(slot.signal, 0, 1);
          Atomics.notify(slot.signal, 0);
        });
      return;
    }
    if (!job || job.id !== msg.id) return;
    clearTimeout(slot.deadlineTimer);
    slot.job = undefined;
    slot.lastUsedAt = performance.now();
    const { key } = job.call;
    slot.compiled.delete(key);
    if (msg.type === 'done' || msg.hasModule) slot.compiled.add(key); // re-added: most recently used last
    const queueMs = (slot.startedAt ?? job.queuedAt) - job.queuedAt;
    if (msg.type === 'done') {
      slot.warm.delete(key);
      slot.warm.set(key, msg.instanceBytes);
      this.finish(job, undefined, { output: msg.output, timings: { ...msg.phases, queueMs } });
    } else {
      if (msg.kind !== 'function_error') slot.warm.delete(key);
      this.finish(job, new FunctionFailure(msg.kind, msg.message));
    }
    this.enforceBudgets(slot);
    this.pump();
  }

  /** The invocation overran its deadline and the thread did not stop it: terminate the thread, start a fresh one. */
  private kill(slot: Slot, job: Job): void {
    if (slot.job !== job) return;
    this.replace(
      slot,
      new FunctionFailure('timeout', `the function ran longer than ${job.call.limits.timeoutMs} ms and was stopped`),
    );
  }

  private onThreadGone(slot: Slot, why: string): void {
    if (this.stopped || !this.slots.includes(slot)) return;
    this.replace(slot, new FunctionFailure('trap', why));
  }

  private replace(slot: Slot, failure: FunctionFailure): void {
    const at = this.slots.indexOf(slot);
    if (at === -1) return;
    const job = slot.job;
    slot.job = undefined;
    clearTimeout(slot.deadlineTimer);
    this.slots.splice(at, 1);
    void slot.thread.terminate();
    slot.answers.close();
    this.replaced++;
    if (job) this.finish(job, failure);
    this.pump(); // a thread takes its place when a job needs one
  }

  private finish(job: Job, failure?: FunctionFailure, result?: { output: Uint8Array; timings: PoolTimings }): void {
    const left = (this.perTenant.get(job.call.tenant) ?? 1) - 1;
    if (left > 0) this.perTenant.set(job.call.tenant, left);
    else this.perTenant.delete(job.call.tenant);
    if (failure) job.reject(failure);
    else job.resolve(result!);
  }

  private warmBytes(): number {
    let total = 0;
    for (const slot of this.slots) for (const bytes of slot.warm.values()) total += bytes;
    return total;
  }

  /** Evicts least recently used warm instances past the budget, and compiled modules past the per-thread count. */
  private enforceBudgets(slot: Slot): void {
    while (slot.compiled.size > this.options.maxModulesPerWorker) {
      const oldest = slot.compiled.values().next().value!;
      slot.compiled.delete(oldest);
      slot.warm.delete(oldest);
      this.post(slot, { type: 'evict', key: oldest, module: true });
    }
    let total = this.warmBytes();
    while (total > this.options.warmBudgetBytes) {
      // Oldest first in each thread's map; take from the thread with the most warm memory.
      const fattest = this.slots.filter((s) => s.warm.size && !s.job).sort((a, b) => sum(b.warm) - sum(a.warm))[0];
      if (!fattest) return;
      const [oldest, bytes] = fattest.warm.entries().next().value!;
      fattest.warm.delete(oldest);
      total -= bytes;
      this.post(fattest, { type: 'evict', key: oldest, module: false });
    }
  }
}

const sum = (m: Map<string, number>) => {
  let total = 0;
  for (const v of m.values()) total += v;
  return total;
};
