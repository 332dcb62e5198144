// A thread of the function pool (function-pool.ts): every invocation runs here, never on the gateway's event loop.
// It keeps the modules it has been sent compiled and one warm instance per function. The deadline covers compile,
// instantiate (the start function included) and handle: the module's injected checkpoints stop it from inside, and the
// pool terminates the thread from outside if that is not enough. A function's HTTP import must answer synchronously,
// so this thread posts the request to the gateway's thread, which checks and makes it, and sleeps in Atomics.wait
// until the answer is posted back.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { checkModule } from './module-check.js';
import { instanceOverheadBytes, MODULE_LIMITS, type ModuleLimits } from './module-limits.js';
import {
  callHandler,
  DeadlinePassed,
  explain,
  FunctionFailure,
  type HostImports,
  HTTP_IMPORT,
  instantiate,
  type Live,
} from './sandbox.js';
import type {
  FromWorker,
  FunctionWorkerData,
  HttpAnswer,
  HttpRequestMessage,
  InvokeMessage,
  Phases,
  ToWorker,
} from './worker-protocol.js';

/** At most this many requests per invocation: a function is a handler, not a crawler. */
export const MAX_REQUESTS_PER_CALL = 16;

const { signal, answers } = workerData as FunctionWorkerData;
const flag = new Int32Array(signal);
const decoder = new TextDecoder();
/** The module was admitted at deploy; here its facts are only counted (its instrumentation adds a function or two). */
const COUNT_ONLY = Object.fromEntries(Object.keys(MODULE_LIMITS).map((k) => [k, Infinity])) as unknown as ModuleLimits;
/** Compiled modules, with what an instance of each costs beyond its linear memory. */
const modules = new Map<string, { module: WebAssembly.Module; overheadBytes: number }>();
const instances = new Map<string, Live>();
let requestsThisCall = 0;
let seq = 0;

/** Sleeps until the gateway thread's answer to request `forSeq` is on the port, or `waitMs` pass. */
function awaitAnswer(forSeq: number, waitMs: number): HttpAnswer | undefined {
  const until = performance.now() + waitMs;
  for (;;) {
    const answer = receiveMessageOnPort(answers)?.message as HttpAnswer | undefined;
    if (answer) {
      if (answer.seq === forSeq) return answer;
      continue; // a late answer to a request that already gave up
    }
    const left = until - performance.now();
    if (left <= 0) return undefined;
    // The gateway posts the answer before it sets the flag, so a post after the check above always wakes this wait.
    Atomics.wait(flag, 0, 0, left);
    Atomics.store(flag, 0, 0);
  }
}

/**
 * env.apprun_http(method, url, body) → pointer to [status u32][length u32][bytes], allocated with the module's alloc.
 */
const httpImport: HostImports = (instance: Live) => ({
  [HTTP_IMPORT]: (
    methodPtr: number,
    methodLen: number,
    urlPtr: number,
    urlLen: number,
    bodyPtr: number,
    bodyLen: number,
  ): number => {
    const memory = instance.abi.memory.buffer;
    if (++requestsThisCall > MAX_REQUESTS_PER_CALL)
      throw new FunctionFailure('network_denied', `a call may make at most ${MAX_REQUESTS_PER_CALL} requests`);
    const timeoutMs = instance.clock.deadline - performance.now();
    if (timeoutMs <= 0) throw new DeadlinePassed();
    const request: HttpRequestMessage = {
      type: 'http',
      seq: ++seq,
      method: decoder.decode(new Uint8Array(memory, methodPtr, methodLen)),
      url: decoder.decode(new Uint8Array(memory, urlPtr, urlLen)),
      body: new Uint8Array(memory, bodyPtr, bodyLen).slice(),
      timeoutMs,
    };
    parentPort!.postMessage(request);
    // The gateway aborts the request at the deadline and answers; the extra wait only covers its reply's trip.
    const answer = awaitAnswer(request.seq, timeoutMs + 100);
    if (!answer || 'expired' in answer) throw new DeadlinePassed();
    if ('denied' in answer) throw new FunctionFailure('network_denied', answer.denied);
    const ptr = instance.abi.alloc(8 + answer.body.byteLength);
    const view = new DataView(instance.abi.memory.buffer);
    view.setUint32(ptr, answer.status, true);
    view.setUint32(ptr + 4, answer.body.byteLength, true);
    new Uint8Array(instance.abi.memory.buffer, ptr + 8, answer.body.byteLength).set(answer.body);
    return ptr;
  },
});

function invoke(msg: InvokeMessage): FromWorker {
  const phases: Phases = { compileMs: 0, instantiateMs: 0, runMs: 0 };
  const deadline = performance.now() + msg.limits.timeoutMs;
  let live = instances.get(msg.key);
  try {
    let compiled = modules.get(msg.key);
    if (!compiled) {
      if (!msg.module)
        throw new FunctionFailure('trap', 'the pool sent no module for a function this thread has not seen');
      const t0 = performance.now();
      compiled = {
        module: new WebAssembly.Module(msg.module),
        overheadBytes: instanceOverheadBytes(checkModule(msg.module, COUNT_ONLY, { walkCode: false })),
      };
      phases.compileMs = performance.now() - t0;
      modules.set(msg.key, compiled);
      if (performance.now() > deadline) throw new DeadlinePassed();
    }
    if (!live) {
      const t0 = performance.now();
      live = instantiate(compiled.module, msg.network ? httpImport : undefined, deadline, msg.limits);
      phases.instantiateMs = performance.now() - t0;
      instances.set(msg.key, live);
    }
    requestsThisCall = 0;
    const t1 = performance.now();
    const output = callHandler(live, msg.input, msg.context, msg.limits, deadline);
    phases.runMs = performance.now() - t1;
    return {
      type: 'done',
      id: msg.id,
      output,
      phases,
      instanceBytes: live.abi.memory.buffer.byteLength + compiled.overheadBytes,
    };
  } catch (err) {
    const failure =
      err instanceof FunctionFailure
        ? err
        : live
          ? explain(err, live, msg.limits)
          : new FunctionFailure('trap', `the module failed to load: ${(err as Error).message}`);
    // After anything but the function's own error its heap may be half-updated: the next call gets a fresh instance.
    if (failure.failure !== 'function_error') instances.delete(msg.key);
    return {
      type: 'failed',
      id: msg.id,
      kind: failure.failure,
      message: failure.message,
      phases,
      hasModule: modules.has(msg.key),
    };
  }
}

// V8's first WebAssembly compile on a thread costs tens of milliseconds (engine start-up); paying it when the thread
// starts keeps a function's cold start at its own compile.
new WebAssembly.Instance(
  new WebAssembly.Module(
    new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 4, 1, 2, 0, 11]),
  ),
);

parentPort!.on('message', (msg: ToWorker) => {
  if (msg.type === 'evict') {
    instances.delete(msg.key);
    if (msg.module) modules.delete(msg.key);
    return;
  }
  const reply = invoke(msg);
  parentPort!.postMessage(reply, reply.type === 'done' ? [reply.output.buffer as ArrayBuffer] : []);
});
