import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { request } from 'undici';
import type { HttpAnswer, HttpRequestMessage, InvokeMessage, NetworkWorkerData, WorkerReply } from './network-worker.js';
import { compileModule } from './runtime.js';
import { DEFAULT_LIMITS, FunctionFailure, type Limits, type Timings, checkInput } from './sandbox.js';

/** The largest response body a function receives. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
/** How long past its deadline a silent worker gets before it is terminated. */
const KILL_GRACE_MS = 500;

interface Pending {
  id: number;
  resolve(result: { output: Uint8Array; timings: Timings }): void;
  reject(err: FunctionFailure): void;
  timer: NodeJS.Timeout;
}

interface Entry {
  key: string;
  module: WebAssembly.Module;
  limits: Limits;
  allowedHosts: string[];
  compileMs: number;
  worker?: { thread: Worker; signal: Int32Array; answers: MessagePort };
  pending?: Pending;
  /** Invocations of one function run one after another, like the in-process runtime's. */
  tail: Promise<unknown>;
}

/**
 * Where the worker's code is: next to the bundle in dist/, or (tests and benches run the TypeScript sources) the
 * source file, loaded through tsx.
 */
function workerEntry(): URL {
  const here = new URL(import.meta.url);
  if (!here.pathname.endsWith('.ts')) return new URL('./network-worker.js', here);
  // The ESM entry of tsx's register API, found through its package.json: vitest's module runner (which runs the
  // test stack) has no import.meta.resolve, and require.resolve would pick the CommonJS entry.
  const tsxPackage = createRequire(here).resolve('tsx/package.json');
  const api = JSON.parse(readFileSync(tsxPackage, 'utf8')).exports['./esm/api'].import.default as string;
  const tsx = pathToFileURL(path.join(path.dirname(tsxPackage), api)).href;
  const entry = new URL('./network-worker.ts', here).href;
  const bootstrap = `const { register } = await import(${JSON.stringify(tsx)}); register(); await import(${JSON.stringify(entry)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`);
}

/** Whether a manifest's allowed_hosts lets a function reach url: "host" allows any port, "host:port" that port. */
export function hostAllowed(url: URL, allowedHosts: string[]): boolean {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return allowedHosts.some((entry) => entry === url.hostname || entry === `${url.hostname}:${port}`);
}

const encoder = new TextEncoder();
const failed = (seq: number, message: string): HttpAnswer => ({ seq, status: 0, body: encoder.encode(message) });

/** Makes one request for a function, within its allowlist, its deadline and the response size limit. */
async function answerHttp(req: HttpRequestMessage, allowedHosts: string[]): Promise<HttpAnswer> {
  const { seq } = req;
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return failed(seq, `not a URL: ${req.url.slice(0, 200)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { seq, denied: `only http and https URLs may be requested, not ${url.protocol}` };
  if (!hostAllowed(url, allowedHosts)) return { seq, denied: `${url.host} is not in the function's allowed_hosts (${allowedHosts.join(', ')})` };
  const method = req.method.toUpperCase();
  if (!METHODS.has(method)) return failed(seq, `unsupported method ${req.method.slice(0, 20)}`);
  const deadline = AbortSignal.timeout(Math.max(1, Math.ceil(req.timeoutMs)));
  try {
    const res = await request(url, { method: method as 'GET', body: req.body.byteLength ? req.body : undefined, signal: deadline, headers: { 'user-agent': 'apprun-function' } });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).byteLength;
      if (size > MAX_RESPONSE_BYTES) {
        res.body.destroy();
        return failed(seq, `the response is larger than ${MAX_RESPONSE_BYTES} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    return { seq, status: res.statusCode, body: new Uint8Array(Buffer.concat(chunks)) };
  } catch (err) {
    if (deadline.aborted) return { seq, expired: true };
    const e = err as Error & { code?: string; cause?: { code?: string } };
    return failed(seq, `request to ${url.host} failed: ${e.cause?.code ?? e.code ?? e.message}`);
  }
}

/**
 * Runs functions whose manifest allows network hosts, each in a worker thread of its own. Their HTTP import has to
 * return synchronously: the worker sleeps while this thread makes the request (see network-worker.ts). Slower than
 * the in-process runtime (a message round trip per call), which is why only these functions take this path. The
 * worker enforces the deadline itself; one that stays silent past it is terminated and replaced on the next call.
 */
export class NetworkSandbox {
  private readonly loaded = new Map<string, Entry>();
  private nextId = 0;

  constructor(readonly limits: Limits = DEFAULT_LIMITS) {}

  isLoaded(key: string): boolean {
    return this.loaded.has(key);
  }

  /** Compiles the module and starts its worker, so the first invocation does not pay for the thread's start. */
  async load(key: string, prepared: Uint8Array<ArrayBuffer>, limits: Partial<Limits>, allowedHosts: string[]): Promise<void> {
    if (this.loaded.has(key)) return;
    const { module, compileMs } = await compileModule(prepared);
    const entry: Entry = { key, module, limits: { ...this.limits, ...limits }, allowedHosts, compileMs, tail: Promise.resolve() };
    this.loaded.set(key, entry);
    this.spawn(entry);
  }

  unload(key: string): void {
    const entry = this.loaded.get(key);
    this.loaded.delete(key);
    if (entry) this.kill(entry, new FunctionFailure('trap', 'the function was removed while it ran'));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.loaded.values()].map((entry) => entry.worker?.thread.terminate()));
    this.loaded.clear();
  }

  async invoke(key: string, input: Uint8Array, context: object): Promise<{ output: Uint8Array; timings: Timings }> {
    const entry = this.loaded.get(key);
    if (!entry) throw new Error(`function ${key} is not loaded`);
    checkInput(input, entry.limits);
    const run = entry.tail.then(() => this.run(entry, input, encoder.encode(JSON.stringify(context))));
    entry.tail = run.catch(() => undefined);
    return run;
  }

  private run(entry: Entry, input: Uint8Array, context: Uint8Array): Promise<{ output: Uint8Array; timings: Timings }> {
    const worker = entry.worker ?? this.spawn(entry);
    return new Promise((resolve, reject) => {
      const id = ++this.nextId;
      const timer = setTimeout(() => {
        this.kill(entry, new FunctionFailure('timeout', `the function ran longer than ${entry.limits.timeoutMs} ms and was stopped`));
      }, entry.limits.timeoutMs + KILL_GRACE_MS);
      entry.pending = { id, resolve, reject, timer };
      worker.thread.postMessage({ id, input, context } satisfies InvokeMessage);
    });
  }

  private spawn(entry: Entry): NonNullable<Entry['worker']> {
    const signal = new SharedArrayBuffer(4);
    const { port1: answers, port2: workerAnswers } = new MessageChannel();
    const workerData: NetworkWorkerData = { module: entry.module, limits: entry.limits, signal, answers: workerAnswers };
    const thread = new Worker(workerEntry(), { workerData, transferList: [workerAnswers], name: `apprun-function ${entry.key}` });
    thread.unref();
    const worker = { thread, signal: new Int32Array(signal), answers };
    entry.worker = worker;
    thread.on('message', (msg: WorkerReply) => this.onMessage(entry, worker, msg));
    thread.on('error', (err) => this.settle(entry, new FunctionFailure('trap', `the function's thread failed: ${err.message}`)));
    thread.on('exit', () => {
      if (entry.worker === worker) entry.worker = undefined;
      answers.close();
      this.settle(entry, new FunctionFailure('trap', "the function's thread exited"));
    });
    return worker;
  }

  private onMessage(entry: Entry, worker: NonNullable<Entry['worker']>, msg: WorkerReply): void {
    if (msg.type === 'http') {
      void answerHttp(msg, entry.allowedHosts)
        .catch((err: Error) => failed(msg.seq, `request failed: ${err.message}`))
        .then((answer) => {
          // Post first, then wake: the worker looks for the answer after every wake-up (see awaitAnswer).
          worker.answers.postMessage(answer);
          Atomics.store(worker.signal, 0, 1);
          Atomics.notify(worker.signal, 0);
        });
      return;
    }
    if (entry.pending?.id !== msg.id) return;
    if (msg.type === 'failed') {
      this.settle(entry, new FunctionFailure(msg.kind, msg.message));
      return;
    }
    const timings: Timings = { compileMs: entry.compileMs, instantiateMs: msg.instantiateMs, runMs: msg.runMs };
    entry.compileMs = 0; // reported once, with the first (cold) call
    this.settle(entry, undefined, { output: msg.output, timings });
  }

  private settle(entry: Entry, failure?: FunctionFailure, result?: { output: Uint8Array; timings: Timings }): void {
    const pending = entry.pending;
    if (!pending) return;
    entry.pending = undefined;
    clearTimeout(pending.timer);
    if (failure) pending.reject(failure);
    else pending.resolve(result!);
  }

  private kill(entry: Entry, failure: FunctionFailure): void {
    const worker = entry.worker;
    entry.worker = undefined;
    this.settle(entry, failure);
    void worker?.thread.terminate();
  }
}
