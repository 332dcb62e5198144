import { CHECKPOINT_IMPORT } from './prepare.js';

export type FailureKind = 'timeout' | 'out_of_memory' | 'trap' | 'function_error' | 'input_too_large' | 'output_too_large';

/** Why an invocation failed, in words for the caller; the runtime itself keeps serving. */
export class FunctionFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'FunctionFailure';
  }
}

export interface Limits {
  timeoutMs: number;
  /** 64 KiB pages; applied when the module is prepared (prepareModule), checked here to name out-of-memory. */
  maxMemoryPages: number;
  maxInputBytes: number;
  maxOutputBytes: number;
}

export const DEFAULT_LIMITS: Limits = { timeoutMs: 1000, maxMemoryPages: 256, maxInputBytes: 1024 * 1024, maxOutputBytes: 1024 * 1024 };

export interface Timings {
  compileMs: number;
  instantiateMs: number;
  runMs: number;
}

interface AbiExports {
  memory: WebAssembly.Memory;
  alloc(len: number): number;
  dealloc(ptr: number): void;
  handle(inPtr: number, inLen: number, ctxPtr: number, ctxLen: number): number;
  output_ptr(): number;
  output_len(): number;
}

interface Live {
  abi: AbiExports;
  clock: { deadline: number };
  abortMessage?: string;
}

interface Loaded {
  module: WebAssembly.Module;
  limits: Limits;
  compileMs: number;
  /** The warm instance, reused call after call; dropped after any trap, since its heap may be half-updated. */
  live?: Live;
}

class DeadlinePassed extends Error {}

const SYNC_COMPILE_BYTES = 256 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** AssemblyScript strings: UTF-16LE, their byte length in the 4 bytes before the pointer. */
function readAsString(memory: WebAssembly.Memory, ptr: number): string {
  if (!ptr) return '';
  const view = new DataView(memory.buffer);
  const byteLength = Math.min(view.getUint32(ptr - 4, true), 2048);
  return Buffer.from(memory.buffer, ptr, byteLength).toString('utf16le');
}

/**
 * Runs prepared WebAssembly functions in-process: compiled modules cached per key, one warm instance per function.
 * A call costs a few microseconds; the deadline is enforced at the checkpoint prepareModule injected (the module calls
 * it every 1,024 loop iterations or function entries), so a runaway loop is stopped while the gateway keeps serving.
 */
export class FunctionRuntime {
  private readonly loaded = new Map<string, Loaded>();

  constructor(readonly limits: Limits = DEFAULT_LIMITS) {}

  isLoaded(key: string): boolean {
    return this.loaded.has(key);
  }

  /** Compiles a prepared module once (a later load of the same key is free), with limits of its own if given. */
  async load(key: string, prepared: Uint8Array<ArrayBuffer>, limits: Partial<Limits> = {}): Promise<void> {
    if (this.loaded.has(key)) return;
    const t0 = performance.now();
    // Small modules compile in about a millisecond: synchronously, so the time is the compile's own and not the event
    // loop's backlog (async compiles measured 12–24 ms in a busy gateway). Large ones compile off the main thread.
    const module = prepared.byteLength <= SYNC_COMPILE_BYTES ? new WebAssembly.Module(prepared) : await WebAssembly.compile(prepared);
    this.loaded.set(key, { module, limits: { ...this.limits, ...limits }, compileMs: performance.now() - t0 });
  }

  unload(key: string): void {
    this.loaded.delete(key);
  }

  invoke(key: string, input: Uint8Array, context: object): { output: Uint8Array; timings: Timings } {
    const entry = this.loaded.get(key);
    if (!entry) throw new Error(`function ${key} is not loaded`);
    const { limits } = entry;
    if (input.byteLength > limits.maxInputBytes) throw new FunctionFailure('input_too_large', `input is larger than ${limits.maxInputBytes} bytes`);
    const timings: Timings = { compileMs: entry.compileMs, instantiateMs: 0, runMs: 0 };
    entry.compileMs = 0; // reported once, with the first (cold) call
    let live = entry.live;
    if (!live) {
      const t0 = performance.now();
      live = this.instantiate(entry.module);
      timings.instantiateMs = performance.now() - t0;
      entry.live = live;
    }
    const ctx = encoder.encode(JSON.stringify(context));
    const { abi, clock } = live;
    const t1 = performance.now();
    clock.deadline = t1 + limits.timeoutMs;
    live.abortMessage = undefined;
    try {
      const inPtr = this.write(abi, input);
      const ctxPtr = this.write(abi, ctx);
      const status = abi.handle(inPtr, input.byteLength, ctxPtr, ctx.byteLength);
      const outLen = abi.output_len();
      if (outLen > limits.maxOutputBytes) throw new FunctionFailure('output_too_large', `output is larger than ${limits.maxOutputBytes} bytes`);
      const output = new Uint8Array(abi.memory.buffer, abi.output_ptr(), outLen).slice();
      abi.dealloc(inPtr);
      abi.dealloc(ctxPtr);
      timings.runMs = performance.now() - t1;
      if (status !== 0) throw new FunctionFailure('function_error', decoder.decode(output) || `the function returned status ${status}`);
      return { output, timings };
    } catch (err) {
      if (!(err instanceof FunctionFailure && err.kind === 'function_error')) entry.live = undefined;
      throw this.explain(err, live, limits);
    }
  }

  private instantiate(module: WebAssembly.Module): Live {
    const clock = { deadline: Infinity };
    const live = {} as Live;
    const env = {
      abort: (msg: number) => {
        live.abortMessage = readAsString(live.abi.memory, msg) || 'abort';
        throw new Error(`abort: ${live.abortMessage}`);
      },
      [CHECKPOINT_IMPORT]: () => {
        if (performance.now() > clock.deadline) throw new DeadlinePassed();
      },
    };
    const instance = new WebAssembly.Instance(module, { env });
    Object.assign(live, { abi: instance.exports as unknown as AbiExports, clock });
    return live;
  }

  private write(abi: AbiExports, bytes: Uint8Array): number {
    const ptr = abi.alloc(bytes.byteLength);
    new Uint8Array(abi.memory.buffer, ptr, bytes.byteLength).set(bytes); // after alloc: memory may have grown
    return ptr;
  }

  private explain(err: unknown, live: Live, limits: Limits): FunctionFailure {
    if (err instanceof FunctionFailure) return err;
    if (err instanceof DeadlinePassed) return new FunctionFailure('timeout', `the function ran longer than ${limits.timeoutMs} ms and was stopped`);
    const capBytes = limits.maxMemoryPages * 65536;
    const memoryFull = live.abi.memory.buffer.byteLength >= capBytes - 2 * 1024 * 1024;
    if (memoryFull || /memory|allocation/i.test(live.abortMessage ?? '')) {
      return new FunctionFailure('out_of_memory', `the function ran out of its ${capBytes / 1024 / 1024} MiB of memory`);
    }
    if (err instanceof RangeError) return new FunctionFailure('trap', `stack overflow (${err.message})`);
    return new FunctionFailure('trap', live.abortMessage ? `aborted: ${live.abortMessage}` : `trapped: ${(err as Error).message}`);
  }
}
