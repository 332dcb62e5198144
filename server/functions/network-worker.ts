// The thread a function with network access runs in (started by network-sandbox.ts). The function's HTTP import must
// answer synchronously, so this thread posts the request to the gateway's thread, which checks the host against the
// manifest and makes the request, and sleeps in Atomics.wait until the answer is posted back; the gateway's own
// event loop never blocks.
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { DeadlinePassed, FunctionFailure, HTTP_IMPORT, type Limits, type Live, callHandler, instantiate } from './sandbox.js';

export interface NetworkWorkerData {
  module: WebAssembly.Module;
  limits: Limits;
  /** Int32 slot 0: set to 1 by the gateway's thread once an HTTP answer is on `answers`. */
  signal: SharedArrayBuffer;
  answers: MessagePort;
}

export interface InvokeMessage {
  id: number;
  input: Uint8Array;
  context: Uint8Array;
}

export interface HttpRequestMessage {
  type: 'http';
  /** Matches the answer to its request: an answer that arrives after its request gave up must not answer the next. */
  seq: number;
  method: string;
  url: string;
  body: Uint8Array;
  timeoutMs: number;
}

/** The gateway thread's answer: a response, a failed request (status 0, message in body), a refusal, or "the deadline passed". */
export type HttpAnswer = { seq: number } & ({ status: number; body: Uint8Array } | { denied: string } | { expired: true });

export type WorkerReply =
  | HttpRequestMessage
  | { type: 'done'; id: number; output: Uint8Array; instantiateMs: number; runMs: number }
  | { type: 'failed'; id: number; kind: FunctionFailure['kind']; message: string };

/** At most this many requests per invocation: a function is a handler, not a crawler. */
export const MAX_REQUESTS_PER_CALL = 16;

const { module, limits, signal, answers } = workerData as NetworkWorkerData;
const flag = new Int32Array(signal);
const decoder = new TextDecoder();
let live: Live | undefined;
let requestsThisCall = 0;
let seq = 0;

/** Sleeps until the gateway thread's answer to request `seq` is on the port, or `waitMs` pass. */
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

/** env.apprun_http(method, url, body) → pointer to [status u32][length u32][bytes], allocated with the module's alloc. */
function httpImport(instance: Live) {
  return {
    [HTTP_IMPORT]: (methodPtr: number, methodLen: number, urlPtr: number, urlLen: number, bodyPtr: number, bodyLen: number): number => {
      const memory = instance.abi.memory.buffer;
      if (++requestsThisCall > MAX_REQUESTS_PER_CALL) throw new FunctionFailure('network_denied', `a call may make at most ${MAX_REQUESTS_PER_CALL} requests`);
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
  };
}

parentPort!.on('message', ({ id, input, context }: InvokeMessage) => {
  let instantiateMs = 0;
  try {
    if (!live) {
      const t0 = performance.now();
      live = instantiate(module, httpImport);
      instantiateMs = performance.now() - t0;
    }
    requestsThisCall = 0;
    const t1 = performance.now();
    const output = callHandler(live, input, context, limits);
    parentPort!.postMessage({ type: 'done', id, output, instantiateMs, runMs: performance.now() - t1 } satisfies WorkerReply);
  } catch (err) {
    const failure = err instanceof FunctionFailure ? err : new FunctionFailure('trap', `the function's thread failed: ${(err as Error).message}`);
    if (failure.kind !== 'function_error') live = undefined;
    parentPort!.postMessage({ type: 'failed', id, kind: failure.kind, message: failure.message } satisfies WorkerReply);
  }
});
