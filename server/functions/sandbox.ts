// What runs a prepared function module inside a pool worker (function-worker.ts). No binaryen here: the worker
// imports this file, and stays light.
import { DomainError, type ErrorKind } from '../errors.js';

export type FailureKind =
  | 'timeout'
  | 'out_of_memory'
  | 'trap'
  | 'function_error'
  | 'input_too_large'
  | 'output_too_large'
  | 'network_denied'
  /** The tenant has as many invocations running or waiting as its plan allows. */
  | 'rate_limited'
  /** Every worker is busy and the wait queue is full. */
  | 'overloaded';

/** Why an invocation failed, in words for the caller; the runtime itself keeps serving. */
export class FunctionFailure extends DomainError {
  constructor(
    readonly failure: FailureKind,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(ERROR_KIND[failure], failure, message, details);
    this.name = 'FunctionFailure';
  }

  /** The same failure, naming the function it happened in (for the caller's error body). */
  in(name: string): FunctionFailure {
    return new FunctionFailure(this.failure, this.message, { ...this.details, function: name });
  }
}

/** How each failure reads in the API's terms (errors.ts turns those into statuses). */
const ERROR_KIND: Record<FailureKind, ErrorKind> = {
  timeout: 'timeout',
  input_too_large: 'too_large',
  out_of_memory: 'unprocessable',
  trap: 'unprocessable',
  function_error: 'unprocessable',
  output_too_large: 'unprocessable',
  network_denied: 'forbidden',
  rate_limited: 'rate_limited',
  overloaded: 'overloaded',
};

export interface Limits {
  timeoutMs: number;
  /** 64 KiB pages; applied when the module is prepared (prepareModule), checked here to name out-of-memory. */
  maxMemoryPages: number;
  maxInputBytes: number;
  maxOutputBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  timeoutMs: 1000,
  maxMemoryPages: 256,
  maxInputBytes: 1024 * 1024,
  maxOutputBytes: 1024 * 1024,
};

/** Refuses input over the function's limit, before any work. */
export function checkInput(input: Uint8Array, limits: Limits): void {
  if (input.byteLength > limits.maxInputBytes)
    throw new FunctionFailure('input_too_large', `input is larger than ${limits.maxInputBytes} bytes`);
}

export interface Timings {
  compileMs: number;
  instantiateMs: number;
  runMs: number;
}

/** The host import the runtime checks its deadline in; prepareModule makes the module call it every 1,024 ticks. */
export const CHECKPOINT_IMPORT = 'apprun_checkpoint';
/** The host import behind the SDK's httpRequest; only modules whose manifest lists allowed_hosts may import it. */
export const HTTP_IMPORT = 'apprun_http';

export interface AbiExports {
  memory: WebAssembly.Memory;
  alloc(len: number): number;
  dealloc(ptr: number): void;
  handle(inPtr: number, inLen: number, ctxPtr: number, ctxLen: number): number;
  output_ptr(): number;
  output_len(): number;
}

/** A live instance of a function and the deadline its checkpoint enforces. */
export interface Live {
  abi: AbiExports;
  clock: { deadline: number };
  abortMessage?: string;
}

export class DeadlinePassed extends Error {}

/** Host functions beyond abort and the checkpoint, built once the instance exists (they need its memory). */
export type HostImports = (live: Live) => Record<string, (...args: number[]) => number | undefined>;

const decoder = new TextDecoder();

/** AssemblyScript strings: UTF-16LE, their byte length in the 4 bytes before the pointer. */
function readAsString(memory: WebAssembly.Memory, ptr: number): string {
  if (!ptr) return '';
  const view = new DataView(memory.buffer);
  const byteLength = Math.min(view.getUint32(ptr - 4, true), 2048);
  return Buffer.from(memory.buffer, ptr, byteLength).toString('utf16le');
}

/**
 * Instantiates a module with its deadline already armed: a start function runs inside `new Instance`, and its
 * injected checkpoints stop it like a runaway handle(). Any failure here is the module's: a FunctionFailure.
 */
export function instantiate(
  module: WebAssembly.Module,
  hostImports: HostImports | undefined,
  deadline: number,
  limits: Limits,
): Live {
  const live = { clock: { deadline } } as Live;
  const env = {
    abort: (msg: number) => {
      live.abortMessage = live.abi ? readAsString(live.abi.memory, msg) || 'abort' : 'abort';
      throw new Error(`abort: ${live.abortMessage}`);
    },
    [CHECKPOINT_IMPORT]: () => {
      if (performance.now() > live.clock.deadline) throw new DeadlinePassed();
    },
    ...hostImports?.(live),
  };
  try {
    live.abi = new WebAssembly.Instance(module, { env }).exports as unknown as AbiExports;
  } catch (err) {
    if (err instanceof FunctionFailure) throw err;
    if (err instanceof DeadlinePassed)
      throw new FunctionFailure(
        'timeout',
        `the module's start function ran longer than ${limits.timeoutMs} ms and was stopped`,
      );
    if (err instanceof RangeError)
      throw new FunctionFailure(
        'out_of_memory',
        `the module could not be instantiated within its memory: ${err.message}`,
      );
    throw new FunctionFailure('trap', `the module's start function trapped: ${(err as Error).message}`);
  }
  if (!(live.abi.memory instanceof WebAssembly.Memory))
    throw new FunctionFailure('trap', 'the module exports no memory named "memory"');
  return live;
}

export function writeBytes(abi: AbiExports, bytes: Uint8Array): number {
  const ptr = abi.alloc(bytes.byteLength);
  new Uint8Array(abi.memory.buffer, ptr, bytes.byteLength).set(bytes); // after alloc: memory may have grown
  return ptr;
}

/**
 * One call of handle() with the deadline armed. Returns the output, or throws a FunctionFailure; after any failure
 * but a function_error the instance must be dropped, since its heap may be half-updated.
 */
export function callHandler(
  live: Live,
  input: Uint8Array,
  context: Uint8Array,
  limits: Limits,
  deadline: number,
): Uint8Array {
  const { abi } = live;
  live.clock.deadline = deadline;
  live.abortMessage = undefined;
  try {
    const inPtr = writeBytes(abi, input);
    const ctxPtr = writeBytes(abi, context);
    const status = abi.handle(inPtr, input.byteLength, ctxPtr, context.byteLength);
    const outLen = abi.output_len();
    if (outLen > limits.maxOutputBytes)
      throw new FunctionFailure('output_too_large', `output is larger than ${limits.maxOutputBytes} bytes`);
    const output = new Uint8Array(abi.memory.buffer, abi.output_ptr(), outLen).slice();
    abi.dealloc(inPtr);
    abi.dealloc(ctxPtr);
    if (status !== 0)
      throw new FunctionFailure('function_error', decoder.decode(output) || `the function returned status ${status}`);
    return output;
  } catch (err) {
    throw explain(err, live, limits);
  }
}

export function explain(err: unknown, live: Live, limits: Limits): FunctionFailure {
  if (err instanceof FunctionFailure) return err;
  if (err instanceof DeadlinePassed)
    return new FunctionFailure('timeout', `the function ran longer than ${limits.timeoutMs} ms and was stopped`);
  const capBytes = limits.maxMemoryPages * 65536;
  const memoryFull = live.abi.memory.buffer.byteLength >= capBytes - 2 * 1024 * 1024;
  if (memoryFull || /memory|allocation/i.test(live.abortMessage ?? '')) {
    return new FunctionFailure('out_of_memory', `the function ran out of its ${capBytes / 1024 / 1024} MiB of memory`);
  }
  if (err instanceof RangeError) return new FunctionFailure('trap', `stack overflow (${err.message})`);
  return new FunctionFailure(
    'trap',
    live.abortMessage ? `aborted: ${live.abortMessage}` : `trapped: ${(err as Error).message}`,
  );
}
