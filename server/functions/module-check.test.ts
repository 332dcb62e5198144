import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../stack/package-root.js';
import { checkModule, ModuleRejected } from './module-check.js';
import { instanceOverheadBytes, MODULE_LIMITS, type ModuleFacts } from './module-limits.js';

import {
  body,
  cat,
  dataSegment,
  END,
  functions,
  I32,
  memory,
  repeat,
  section,
  str,
  table,
  uleb,
  utf8,
  vec,
  voidType,
  wasm,
} from './test-support/wasm-bytes.js';

function rejection(bytes: Uint8Array): string {
  try {
    checkModule(bytes);
  } catch (err) {
    if (err instanceof ModuleRejected) return err.message;
    throw err;
  }
  throw new Error('expected the module to be rejected');
}

const buildDir = path.join(packageRoot(), 'wasm', 'build');
const examples = fs
  .readdirSync(buildDir)
  .filter((f) => f.endsWith('.wasm'))
  .sort();
const built = (file: string) => new Uint8Array(fs.readFileSync(path.join(buildDir, file)));

describe('every module in wasm/build is admitted', () => {
  it.each(examples)('%s', (file) => {
    const facts: ModuleFacts = checkModule(built(file));
    expect(facts).toMatchObject({ tables: [], memory: { minPages: 1, maxPages: null }, exports: 6, customSections: 0 });
    expect(facts.functions).toBe(facts.bodies + facts.importedFunctions);
    // Comfortably inside every limit: a tenth of it at most.
    for (const [fact, limit] of [
      [facts.functions, MODULE_LIMITS.maxFunctions],
      [facts.instructions, MODULE_LIMITS.maxInstructions],
      [facts.maxBlockDepth, MODULE_LIMITS.maxBlockDepth],
      [facts.maxExpressionDepth, MODULE_LIMITS.maxExpressionDepth],
      [facts.globals, MODULE_LIMITS.maxGlobals],
      [facts.dataSegments, MODULE_LIMITS.maxDataSegments],
      [facts.maxLocals, MODULE_LIMITS.maxLocals],
      [facts.codeBytes, MODULE_LIMITS.maxCodeSectionBytes],
    ] as const) {
      expect(fact).toBeLessThan(limit / 10);
    }
    expect(instanceOverheadBytes(facts)).toBeGreaterThan(16 * 1024);
    expect(instanceOverheadBytes(facts)).toBeLessThan(32 * 1024);
  });

  it('reports the facts it counted (hello)', () => {
    expect(checkModule(built('hello.wasm'))).toMatchObject({
      importedFunctions: 1,
      functions: 21,
      hasStart: true,
      dataSegments: 23,
      maxBlockDepth: 10,
    });
  });
});

describe('pathological modules are refused by name, cheaply', () => {
  it('more functions than the limit, counting imports', () => {
    expect(rejection(functions(new Array(10_001).fill(body([]))))).toBe(
      'the module defines 10001 functions; at most 10000 are allowed',
    );
    expect(checkModule(functions(new Array(10_000).fill(body([])))).functions).toBe(10_000);
    const abort = section(2, vec([[...str('env'), ...str('abort'), 0, 0]]));
    const withImport = wasm(
      voidType,
      abort,
      section(3, vec(new Array(10_000).fill([0]))),
      section(10, vec(new Array(10_000).fill(body([])))),
    );
    expect(rejection(withImport)).toBe('the module defines 10000 functions and imports 1; at most 10000 are allowed');
  });

  it('a million functions under 5 MiB in well under 100 ms', () => {
    const n = 1_000_000;
    const bytes = wasm(voidType, section(3, uleb(n), new Uint8Array(n)), section(10, uleb(n), repeat(n, [2, 0, END])));
    expect(bytes.byteLength).toBeLessThan(5 * 1024 * 1024);
    const t0 = performance.now();
    expect(rejection(bytes)).toBe('the module defines 1000000 functions; at most 10000 are allowed');
    expect(performance.now() - t0).toBeLessThan(100);
  });

  it('a huge table, a table that may grow past the cap, two tables; a table without a maximum is admitted', () => {
    expect(rejection(functions([], table(10_000_000)))).toBe(
      'table 0 starts with 10000000 entries; at most 10000 are allowed',
    );
    expect(rejection(functions([], table(1, 20_000)))).toBe(
      'table 0 may grow to 20000 entries; at most 10000 are allowed',
    );
    expect(
      rejection(
        functions(
          [],
          section(
            4,
            vec([
              [0x70, 0, 1],
              [0x70, 0, 1],
            ]),
          ),
        ),
      ),
    ).toMatch(/defines 2 tables; at most 1 is allowed/);
    const facts = checkModule(functions([], table(5000)));
    expect(facts.tables).toEqual([{ min: 5000, max: null }]);
    expect(instanceOverheadBytes(facts) - instanceOverheadBytes({ ...facts, tables: [] })).toBe(5000 * 32);
  });

  it('table.grow is refused, so a table never outgrows its minimum', () => {
    const grow = [0x41, 0, 0x41, 1, 0xfc, 15, 0, 0x1a]; // the walker does not check operand types: V8 does
    expect(rejection(functions([body(grow)], table(1)))).toMatch(
      /not support: table.grow \(0xfc 15\).*\(reference types\)/,
    );
  });

  it('100,000 nested blocks, and a 3,000-deep expression in a flat body', () => {
    const nested = cat(repeat(100_000, [0x02, 0x40]), repeat(100_000, [END]));
    expect(rejection(functions([body(nested)]))).toBe('function 0: blocks nest 100000 deep; at most 1000 are allowed');
    const thousand = cat(repeat(1000, [0x03, 0x40]), repeat(1000, [END]));
    expect(checkModule(functions([body(thousand)])).maxBlockDepth).toBe(1000);
    const chain = cat([0x41, 0], repeat(3000, [0x45]), [0x1a]); // i32.eqz of i32.eqz of …
    expect(rejection(functions([body(chain)]))).toMatch(
      /^function 0: expressions nest 300\d deep; at most 1500 are allowed$/,
    );
  });

  it('too many locals, with a declared count of 2^32-1 or summed over declarations', () => {
    expect(rejection(functions([body([], [[...uleb(2 ** 32 - 1), I32]])]))).toBe(
      'function 0 declares 4294967295 locals; at most 50000 are allowed',
    );
    expect(
      rejection(
        functions([
          body(
            [],
            [
              [...uleb(30_000), I32],
              [...uleb(30_000), I32],
            ],
          ),
        ]),
      ),
    ).toMatch(/declares 60000 locals/);
    expect(checkModule(functions([body([], [[...uleb(50_000), I32]])])).maxLocals).toBe(50_000);
  });

  it('opcodes of features the sandbox lacks', () => {
    expect(rejection(functions([body([0xfd, 0x0c, ...new Array(16).fill(0), 0x1a])]))).toMatch(
      /does not support: opcode 0xfd at byte \d+ \(SIMD\)/,
    );
    expect(rejection(functions([body([0x06, 0x40, END])]))).toMatch(/opcode 0x06 .*exception handling/);
  });
});

describe('faults V8 would find only at instantiation are refused at deploy', () => {
  it('a data segment past the initial memory', () => {
    const past = functions([], memory(1), section(11, vec([dataSegment(65530, 10)])));
    expect(rejection(past)).toBe("data segment 0 ends at byte 65540, past the module's initial memory of 65536 bytes");
    expect(rejection(functions([], memory(1), section(11, vec([dataSegment(-1, 1)]))))).toMatch(
      /ends at byte 4294967296/,
    );
    expect(checkModule(functions([], memory(1), section(11, vec([dataSegment(65526, 10)])))).dataBytes).toBe(10);
    expect(rejection(functions([], section(11, vec([dataSegment(0, 1)]))))).toBe(
      'data segment 0 is active, but the module defines no memory',
    );
  });

  it('an element segment past the initial table, or at a global.get offset', () => {
    const elements = (offset: number[], count: number) =>
      section(9, vec([[0, ...offset, END, ...uleb(count), ...new Array<number>(count).fill(0)]]));
    expect(rejection(functions([body([])], table(4, 4), elements([0x41, 2], 3)))).toBe(
      "element segment 0 ends at entry 5, past table 0's initial size of 4 entries",
    );
    expect(checkModule(functions([body([])], table(4, 4), elements([0x41, 1], 3))).elementEntries).toBe(3);
    expect(rejection(functions([body([])], table(4, 4), elements([0x23, 0], 1)))).toMatch(
      /offset at byte \d+ is a global.get; it must be a constant/,
    );
  });

  it.each([
    [
      'memory',
      [2, 0, 1],
      'the module imports a memory (env.mem); functions must define their own and import only functions',
    ],
    [
      'global',
      [3, I32, 0],
      'the module imports a global (env.g); functions must define their own and import only functions',
    ],
    [
      'table',
      [1, 0x70, 0, 1],
      'the module imports a table (env.t); functions must define their own and import only functions',
    ],
  ])('an import of a %s', (kind, descriptor, message) => {
    const name = { memory: 'mem', global: 'g', table: 't' }[kind]!;
    expect(rejection(wasm(section(2, vec([[...str('env'), ...str(name), ...descriptor]]))))).toBe(message);
  });
});

describe('malformed modules are ModuleRejected, with a reason', () => {
  it('custom sections: a name longer than the section, invalid UTF-8, too many', () => {
    expect(rejection(wasm(section(0, [10, ...utf8('abc')])))).toMatch(
      /custom section name at byte 10 is 10 bytes long, past the end of the custom section/,
    );
    expect(rejection(wasm(section(0, [2, 0xc3, 0x28])))).toBe('a custom section name at byte 10 is not valid UTF-8');
    expect(rejection(wasm(...new Array(33).fill(section(0, str('x')))))).toBe(
      'the module has 33 custom sections; at most 32 are allowed',
    );
    expect(rejection(wasm(section(0, str('big'), new Uint8Array(1024 * 1024))))).toMatch(
      /custom sections total 1048580 bytes; at most 1048576/,
    );
    expect(rejection(wasm(section(0, str('name'), [1, 9, 0])))).toMatch(/ends inside a name subsection/);
  });

  it('a truncated module, cut anywhere inside a section', () => {
    const hello = built('hello.wasm');
    const boundaries = new Set([8]);
    for (let pos = 8; pos < hello.length; ) {
      let size = 0;
      let shift = 0;
      let byte: number;
      let p = pos + 1;
      do {
        byte = hello[p++]!;
        size += (byte & 0x7f) * 2 ** shift;
        shift += 7;
      } while (byte & 0x80);
      pos = p + size;
      boundaries.add(pos);
    }
    for (let length = 0; length < hello.length; length++) {
      if (!boundaries.has(length)) expect(() => checkModule(hello.subarray(0, length))).toThrow(ModuleRejected);
    }
    expect(rejection(hello.subarray(0, 4))).toMatch(/shorter than the 8-byte header/);
  });

  it('a bad LEB128: five continuation bytes, or a 5th byte past 32 bits', () => {
    expect(rejection(wasm([1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]))).toBe(
      'the size of the type section at byte 9 is not a valid LEB128 number (more than 5 bytes)',
    );
    expect(rejection(wasm([1, 0x80, 0x80, 0x80, 0x80, 0x10]))).toBe(
      'the size of the type section at byte 9 does not fit in 32 bits',
    );
  });

  it('unknown, repeated and out-of-order sections; bytes left over; a body shorter or longer than its size', () => {
    expect(rejection(wasm(section(14, [])))).toBe('unknown section id 14 at byte 8');
    expect(rejection(wasm(voidType, voidType))).toMatch(/the type section at byte 14 comes after the type section/);
    expect(rejection(wasm(memory(1), table(1)))).toMatch(/the table section .* comes after the memory section/);
    expect(rejection(wasm(section(1, vec([[0x60, 0, 0]]), [0])))).toBe(
      'the type section has 1 bytes left over after its contents (byte 14)',
    );
    const early = cat([4, 0, 0x01, END, 0x01]); // ends at its 3rd byte of 4
    expect(rejection(functions([early]))).toMatch(/^function 0: the body ends at byte \d+, before its declared end/);
    expect(rejection(functions([cat([2, 0, 0x01])]))).toMatch(/^function 0's body ends inside an instruction/);
    expect(rejection(functions([body([0x0c, 5])]))).toMatch(/targets label 5, outside the function's 1 blocks/);
  });

  it('other bytes: not WebAssembly, another version, a function without a body', () => {
    expect(rejection(new TextEncoder().encode('#!/bin/sh\necho hi\n'))).toBe(
      'not a WebAssembly module (no \\0asm magic)',
    );
    expect(rejection(cat([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]))).toBe(
      'WebAssembly binary version 65549; only version 1 modules are supported',
    );
    expect(rejection(wasm(voidType, section(3, vec([[0]]))))).toBe(
      'the module declares 1 function but has no code section',
    );
  });
});

/** mulberry32: a seeded PRNG, so a failing mutation can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(bytes: Uint8Array, random: () => number): Uint8Array {
  const at = Math.floor(random() * bytes.length);
  const byte = Math.floor(random() * 256);
  switch (Math.floor(random() * 4)) {
    case 0: {
      const flipped = bytes.slice();
      flipped[at] = flipped[at]! ^ (1 << Math.floor(random() * 8));
      return flipped;
    }
    case 1:
      return cat(bytes.subarray(0, at), [byte], bytes.subarray(at));
    case 2:
      return cat(bytes.subarray(0, at), bytes.subarray(at + 1));
    default:
      return bytes.slice(0, at);
  }
}

describe('fuzzing', () => {
  it('500 mutations of each example are each admitted or ModuleRejected, quickly', () => {
    const random = prng(12);
    const t0 = performance.now();
    const outcomes = { admitted: 0, rejected: 0 };
    for (const file of examples) {
      const original = built(file);
      for (let i = 0; i < 500; i++) {
        const mutant = mutate(original, random);
        try {
          checkModule(mutant);
          outcomes.admitted++;
        } catch (err) {
          if (!(err instanceof ModuleRejected)) throw new Error(`${file} mutation ${i}: ${String(err)}`);
          outcomes.rejected++;
        }
      }
    }
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(outcomes.rejected).toBeGreaterThan(0);
    expect(outcomes.admitted).toBeGreaterThan(0);
  });
});
