import binaryen from 'binaryen';
import { afterAll, describe, expect, it } from 'vitest';
import { failureReason, PreparationThread } from './preparation-thread.js';
import { ModuleRejected, prepareModule } from './prepare-module.js';
import { built } from './test-support/modules.js';

describe('prepareModule', () => {
  it('rejects bytes that are not WebAssembly', () => {
    expect(() => prepareModule(new Uint8Array([0, 1, 2, 3]), 256)).toThrow(ModuleRejected);
  });

  it('rejects a module without the ABI', () => {
    const m = new binaryen.Module();
    m.setMemory(1, 1, 'memory');
    try {
      expect(() => prepareModule(m.emitBinary() as Uint8Array<ArrayBuffer>, 256)).toThrow(
        /does not export alloc, dealloc, handle/,
      );
    } finally {
      m.dispose();
    }
  });

  it('rejects host access: a module importing WASI file or network calls', () => {
    const m = binaryen.readBinary(built('hello'));
    m.addFunctionImport(
      'fd_write',
      'wasi_snapshot_preview1',
      'fd_write',
      binaryen.createType([binaryen.i32, binaryen.i32, binaryen.i32, binaryen.i32]),
      binaryen.i32,
    );
    try {
      expect(() => prepareModule(m.emitBinary() as Uint8Array<ArrayBuffer>, 256)).toThrow(
        /wasi_snapshot_preview1.fd_write/,
      );
    } finally {
      m.dispose();
    }
  });

  it('gives the memory a hard maximum', () => {
    const bytes = prepareModule(built('hello'), 64).bytes;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
      env: { abort: () => undefined, apprun_checkpoint: () => undefined },
    });
    const memory = instance.exports.memory as WebAssembly.Memory;
    expect(() => memory.grow(100)).toThrow(RangeError);
  });
});

describe('PreparationThread: preparation on a thread of its own', () => {
  const preparer = new PreparationThread();
  afterAll(() => preparer.stop());

  it('prepares what prepareModule prepares, and refuses what it refuses, with its reason', async () => {
    const { bytes } = await preparer.prepare(built('hello'), 64, false);
    // (binaryen numbers internal names per process, so the bytes differ from run to run; the shape does not)
    const exports = (b: Uint8Array<ArrayBuffer>) =>
      WebAssembly.Module.exports(new WebAssembly.Module(b)).map((e) => e.name);
    const imports = (b: Uint8Array<ArrayBuffer>) =>
      WebAssembly.Module.imports(new WebAssembly.Module(b)).map((i) => `${i.module}.${i.name}`);
    const here = prepareModule(built('hello'), 64).bytes;
    expect([exports(bytes), imports(bytes)]).toEqual([exports(here), imports(here)]);
    expect(imports(bytes)).toContain('env.apprun_checkpoint');
    await expect(preparer.prepare(new Uint8Array([0, 97, 115, 109, 9]), 64, false)).rejects.toThrow(ModuleRejected);
    await expect(preparer.prepare(built('http-status'), 64, false)).rejects.toThrow(/manifest lists no allowed_hosts/);
    // the thread is fresh after a refusal, and serves again
    expect((await preparer.prepare(built('whoami'), 64, false)).bytes.byteLength).toBeGreaterThan(0);
  });
});

describe('failureReason: what a crash inside the thread may say in a 400', () => {
  it('keeps the first line, and no stack or file path', () => {
    expect(
      failureReason('Aborted(RuntimeError: unreachable) at /work/main/node_modules/binaryen/index.js:12:34\n    at x'),
    ).toBe('Aborted(RuntimeError: unreachable)');
    expect(failureReason('cannot read file:///work/main/dist/preparation-worker.js:1:2 now')).toBe('cannot read … now');
    expect(failureReason('Worker terminated due to reaching memory limit: JS heap out of memory')).toBe(
      'Worker terminated due to reaching memory limit: JS heap out of memory',
    );
    expect(failureReason('\n')).toBe('unknown error');
  });
});
