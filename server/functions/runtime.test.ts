import fs from 'node:fs';
import path from 'node:path';
import binaryen from 'binaryen';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../stack/package-root.js';
import { ModuleRejected, prepareModule } from './prepare.js';
import { FunctionRuntime } from './runtime.js';
import { FunctionFailure } from './sandbox.js';

const built = (name: string) => new Uint8Array(fs.readFileSync(path.join(packageRoot(), 'wasm', 'build', `${name}.wasm`)));
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const input = (s: string) => new TextEncoder().encode(s);
const ctx = { sub: 'u1', tenant_id: '00000000-0000-4000-8000-000000000001', role: 'admin' };

async function runtimeWith(...names: string[]) {
  const runtime = new FunctionRuntime({ timeoutMs: 100, maxMemoryPages: 256, maxInputBytes: 64 * 1024, maxOutputBytes: 64 * 1024 });
  for (const name of names) await runtime.load(name, prepareModule(built(name), 256).bytes);
  return runtime;
}

function failure(fn: () => unknown): FunctionFailure {
  try {
    fn();
  } catch (err) {
    if (err instanceof FunctionFailure) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe('the AssemblyScript examples run in the sandbox', () => {
  it('hello: cold first call with timings, then a warm instance', async () => {
    const runtime = await runtimeWith('hello');
    const first = runtime.invoke('hello', input('apprun'), ctx);
    expect(text(first.output)).toBe('Hello, apprun!');
    expect(first.timings.compileMs).toBeGreaterThan(0);
    expect(first.timings.instantiateMs).toBeGreaterThan(0);
    const second = runtime.invoke('hello', input(''), ctx);
    expect(text(second.output)).toBe('Hello, world!');
    expect(second.timings).toMatchObject({ compileMs: 0, instantiateMs: 0 });
  });

  it('price-with-tax transforms JSON, and reports bad input as a function error', async () => {
    const runtime = await runtimeWith('price-with-tax');
    const out = JSON.parse(text(runtime.invoke('price-with-tax', input('{"name": "Widget", "price": 9.99, "tax_rate": 0.2}'), ctx).output));
    expect(out).toEqual({ name: 'Widget', price: 9.99, tax_rate: 0.2, tax: 2, total: 11.99 });
    const bad = failure(() => runtime.invoke('price-with-tax', input('{"name": "x"}'), ctx));
    expect(bad.kind).toBe('function_error');
    expect(bad.message).toMatch(/price/);
  });

  it("whoami sees the caller's tenant and role from the context", async () => {
    const runtime = await runtimeWith('whoami');
    const out = JSON.parse(text(runtime.invoke('whoami', input(''), { ...ctx, role: 'user' }).output));
    expect(out).toMatchObject({ tenant_id: ctx.tenant_id, role: 'user' });
  });
});

describe('the sandbox contains misbehaving functions', () => {
  it('stops an infinite loop at its deadline, and keeps serving other functions and the same one', async () => {
    const runtime = await runtimeWith('spin', 'hello');
    const t0 = performance.now();
    const err = failure(() => runtime.invoke('spin', input(''), ctx));
    expect(err.kind).toBe('timeout');
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(text(runtime.invoke('hello', input('still here'), ctx).output)).toBe('Hello, still here!');
    expect(failure(() => runtime.invoke('spin', input(''), ctx)).kind).toBe('timeout');
  });

  it('fails a memory bomb cleanly inside its memory cap', async () => {
    const runtime = await runtimeWith('bomb', 'hello');
    const before = process.memoryUsage().rss;
    const err = failure(() => runtime.invoke('bomb', input(''), ctx));
    expect(err.kind).toBe('out_of_memory');
    expect(err.message).toMatch(/16 MiB/);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
    expect(text(runtime.invoke('hello', input('ok'), ctx).output)).toBe('Hello, ok!');
  });

  it('refuses oversized input', async () => {
    const runtime = await runtimeWith('hello');
    expect(failure(() => runtime.invoke('hello', new Uint8Array(65 * 1024), ctx)).kind).toBe('input_too_large');
  });
});

describe('prepareModule', () => {
  it('rejects bytes that are not WebAssembly', () => {
    expect(() => prepareModule(new Uint8Array([0, 1, 2, 3]), 256)).toThrow(ModuleRejected);
  });

  it('rejects a module without the ABI', () => {
    const m = new binaryen.Module();
    m.setMemory(1, 1, 'memory');
    try {
      expect(() => prepareModule(m.emitBinary() as Uint8Array<ArrayBuffer>, 256)).toThrow(/does not export alloc, dealloc, handle/);
    } finally {
      m.dispose();
    }
  });

  it('rejects host access: a module importing WASI file or network calls', () => {
    const m = binaryen.readBinary(built('hello'));
    m.addFunctionImport('fd_write', 'wasi_snapshot_preview1', 'fd_write', binaryen.createType([binaryen.i32, binaryen.i32, binaryen.i32, binaryen.i32]), binaryen.i32);
    try {
      expect(() => prepareModule(m.emitBinary() as Uint8Array<ArrayBuffer>, 256)).toThrow(/wasi_snapshot_preview1.fd_write/);
    } finally {
      m.dispose();
    }
  });

  it('gives the memory a hard maximum', () => {
    const prepared = prepareModule(built('hello'), 64).bytes;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(prepared), { env: { abort: () => undefined, apprun_checkpoint: () => undefined } });
    const memory = instance.exports.memory as WebAssembly.Memory;
    expect(() => memory.grow(100)).toThrow(RangeError);
  });
});
