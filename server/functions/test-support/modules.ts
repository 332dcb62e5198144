import fs from 'node:fs';
import path from 'node:path';
import binaryen from 'binaryen';
import { packageRoot } from '../../../stack/package-root.js';
import { prepareModule } from '../prepare-module.js';
import type { Limits } from '../sandbox.js';

/** A module built by `npm run build:wasm` (examples and fixtures). */
export const built = (name: string) =>
  new Uint8Array(fs.readFileSync(path.join(packageRoot(), 'wasm', 'build', `${name}.wasm`)));

/** An example with a start function added: one that loops forever, or one that traps. */
export function withStart(kind: 'loop' | 'trap', base = 'hello'): Uint8Array<ArrayBuffer> {
  const m = binaryen.readBinary(built(base));
  try {
    const body = kind === 'loop' ? m.loop('forever', m.br('forever')) : m.unreachable();
    const start = m.addFunction('apprun_test_start', binaryen.none, binaryen.none, [], body);
    m.setStart(start);
    return m.emitBinary() as Uint8Array<ArrayBuffer>;
  } finally {
    m.dispose();
  }
}

export const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
export const bytesOf = (s: string) => new TextEncoder().encode(s);
export const CONTEXT = bytesOf(
  JSON.stringify({ sub: 'u1', tenant_id: '00000000-0000-4000-8000-000000000001', role: 'admin' }),
);
export const TEST_LIMITS: Limits = {
  timeoutMs: 300,
  maxMemoryPages: 256,
  maxInputBytes: 64 * 1024,
  maxOutputBytes: 64 * 1024,
};

/** Prepares a module as deploy does (instrumented, memory capped), on the test's thread. */
export const prepared = (bytes: Uint8Array<ArrayBuffer>, network = false) =>
  prepareModule(bytes, 256, { network }).bytes;
