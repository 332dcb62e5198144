// The messages between the gateway's thread and a function worker (function-worker.ts). Plain data only: they cross
// threads by structured clone.
import type { MessagePort } from 'node:worker_threads';
import type { FailureKind, Limits } from './sandbox.js';

export interface FunctionWorkerData {
  /** Int32 slot 0: set to 1 by the gateway's thread once an HTTP answer is on `answers`. */
  signal: SharedArrayBuffer;
  answers: MessagePort;
}

export interface InvokeMessage {
  type: 'invoke';
  id: number;
  /** Names one deployed version of one function: `<tenant>/<name>/<sha256>`. */
  key: string;
  /** The prepared module, sent the first time this worker runs the key (the worker then keeps it compiled). */
  module?: Uint8Array<ArrayBuffer>;
  limits: Limits;
  input: Uint8Array;
  context: Uint8Array;
  /** Whether the instance may import the host's HTTP call (its manifest lists allowed_hosts). */
  network: boolean;
}

/** Drops the warm instance of a key (cache budget), and its compiled module too when the function is gone. */
export interface EvictMessage {
  type: 'evict';
  key: string;
  module: boolean;
}

export type ToWorker = InvokeMessage | EvictMessage;

export interface HttpRequestMessage {
  type: 'http';
  /** Matches the answer to its request: an answer that arrives after its request gave up must not answer the next. */
  seq: number;
  method: string;
  url: string;
  body: Uint8Array;
  timeoutMs: number;
}

/**
 * The gateway thread's answer: a response, a failed request (status 0, message in body), a refusal, or "the deadline
 * passed".
 */
export type HttpAnswer = { seq: number } & (
  | { status: number; body: Uint8Array }
  | { denied: string }
  | { expired: true }
);

export interface Phases {
  compileMs: number;
  instantiateMs: number;
  runMs: number;
}

export type FromWorker =
  | HttpRequestMessage
  /** instanceBytes: the warm instance's linear memory plus its fixed overhead (tables, functions, globals). */
  | { type: 'done'; id: number; output: Uint8Array; phases: Phases; instanceBytes: number }
  /** hasModule: whether the thread holds the module compiled after this call (it may have failed to compile it). */
  | { type: 'failed'; id: number; kind: FailureKind; message: string; phases: Phases; hasModule: boolean };
