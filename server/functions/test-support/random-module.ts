// Random but valid WebAssembly modules that speak the function ABI (alloc, dealloc, handle, output_ptr, output_len,
// memory), built with binaryen from a seed: fuzz input for the module check and invocation path. Their bodies mix
// arithmetic that may trap (division by zero, float truncation, out-of-bounds memory), loops that may never end,
// recursion that may overflow the stack, memory growth and bulk fills, so every way a module can fail is exercised.
import binaryen from 'binaryen';

/** A small seeded PRNG (mulberry32): the same seed gives the same module. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const i32 = binaryen.i32;

export function randomModule(seed: number): Uint8Array<ArrayBuffer> {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const m = new binaryen.Module();
  try {
    m.setFeatures(
      binaryen.Features.MVP |
        binaryen.Features.BulkMemory |
        binaryen.Features.BulkMemoryOpt |
        binaryen.Features.SignExt |
        binaryen.Features.MutableGlobals |
        binaryen.Features.NontrappingFPToInt,
    );
    m.setMemory(1 + int(3), 16, 'memory');
    m.addGlobal('heap', i32, true, m.i32.const(1024));
    m.addGlobal('out_ptr', i32, true, m.i32.const(0));
    m.addGlobal('out_len', i32, true, m.i32.const(0));
    const counter = 'counter';
    m.addGlobal(counter, i32, true, m.i32.const(0));

    const functions = 1 + int(6);
    let loopLabel = 0;
    /** An i32 expression over the function's two i32 params, at most `depth` deep. */
    const expr = (fn: number, depth: number): binaryen.ExpressionRef => {
      if (depth <= 0 || rnd() < 0.2)
        return rnd() < 0.5 ? m.local.get(int(2), i32) : m.i32.const(int(2 ** 31) - (rnd() < 0.2 ? 2 ** 31 : 0));
      const a = () => expr(fn, depth - 1);
      switch (int(16)) {
        case 0:
          return m.i32.add(a(), a());
        case 1:
          return m.i32.mul(a(), a());
        case 2:
          return m.i32.div_s(a(), a()); // may trap: division by zero, overflow
        case 3:
          return m.i32.rem_u(a(), a());
        case 4:
          return m.i32.xor(m.i32.shl(a(), a()), m.i32.clz(a()));
        case 5:
          return m.select(a(), a(), a());
        case 6:
          return m.if(a(), a(), a());
        case 7:
          // may trap: out of bounds
          return m.i32.load(0, 0, m.i32.and(a(), m.i32.const(rnd() < 0.8 ? 0xffff : 0x7fffffff)));
        case 8:
          return m.block(null, [m.i32.store(0, 0, m.i32.and(a(), m.i32.const(0xfff0)), a()), a()], i32);
        case 9: {
          // A loop: bounded most of the time, endless now and then (the deadline must stop it).
          const label = `loop${loopLabel++}`;
          const bound = rnd() < 0.85 ? int(2000) : 0x7fffffff;
          return m.block(
            null,
            [
              m.global.set(counter, m.i32.const(0)),
              m.loop(
                label,
                m.block(null, [
                  m.global.set(counter, m.i32.add(m.global.get(counter, i32), m.i32.const(1))),
                  m.br(label, m.i32.lt_u(m.global.get(counter, i32), m.i32.const(bound))),
                ]),
              ),
              m.global.get(counter, i32),
            ],
            i32,
          );
        }
        case 10:
          // calls: lower-numbered functions, or itself (unbounded recursion overflows the stack)
          return fn > 0 && rnd() < 0.7
            ? m.call(`f${int(fn)}`, [a(), a()], i32)
            : m.call(`f${fn}`, [a(), m.i32.sub(a(), m.i32.const(1))], i32);
        case 11:
          return m.memory.grow(m.i32.and(a(), m.i32.const(rnd() < 0.9 ? 3 : 0xffff)));
        case 12:
          return m.block(
            null,
            [
              m.memory.fill(
                m.i32.and(a(), m.i32.const(0xffff)),
                a(),
                m.i32.and(a(), m.i32.const(rnd() < 0.9 ? 0xfff : 0x7fffffff)),
              ),
              a(),
            ],
            i32,
          );
        case 13:
          // may trap: NaN / overflow
          return m.i32.trunc_s.f64(m.f64.div(m.f64.convert_s.i32(a()), m.f64.convert_s.i32(a())));
        case 14:
          return m.i32.trunc_s_sat.f64(m.f64.sqrt(m.f64.convert_u.i32(a())));
        default:
          return rnd() < 0.05 ? m.unreachable() : m.i32.extend8_s(a());
      }
    };
    for (let f = 0; f < functions; f++)
      m.addFunction(`f${f}`, binaryen.createType([i32, i32]), i32, [], expr(f, 2 + int(4)));

    // The ABI: a bump allocator, and handle() calling a few of the random functions with the input's length.
    const p = (n: number) => m.local.get(n, i32);
    m.addFunction(
      'alloc',
      binaryen.createType([i32]),
      i32,
      [i32],
      m.block(
        null,
        [
          m.local.set(1, m.global.get('heap', i32)),
          m.global.set(
            'heap',
            m.i32.add(m.global.get('heap', i32), m.i32.and(m.i32.add(p(0), m.i32.const(7)), m.i32.const(-8))),
          ),
          m.if(
            m.i32.gt_u(m.global.get('heap', i32), m.i32.mul(m.memory.size(), m.i32.const(65536))),
            m.drop(m.memory.grow(m.i32.add(m.i32.div_u(p(0), m.i32.const(65536)), m.i32.const(1)))),
          ),
          p(1),
        ],
        i32,
      ),
    );
    m.addFunction('dealloc', binaryen.createType([i32]), binaryen.none, [], m.nop());
    m.addFunction('output_ptr', binaryen.none, i32, [], m.global.get('out_ptr', i32));
    m.addFunction('output_len', binaryen.none, i32, [], m.global.get('out_len', i32));
    const calls = Array.from({ length: 1 + int(3) }, (_, k) =>
      m.i32.store(k * 4, 0, m.i32.const(16), m.call(`f${int(functions)}`, [p(1), m.i32.const(int(100))], i32)),
    );
    m.addFunction(
      'handle',
      binaryen.createType([i32, i32, i32, i32]),
      i32,
      [],
      m.block(
        null,
        [
          ...calls,
          m.global.set('out_ptr', m.i32.const(16)),
          m.global.set('out_len', m.i32.const(calls.length * 4)),
          m.i32.const(rnd() < 0.9 ? 0 : 1),
        ],
        i32,
      ),
    );
    for (const name of ['alloc', 'dealloc', 'handle', 'output_ptr', 'output_len']) m.addFunctionExport(name, name);
    if (!m.validate()) throw new Error(`random module ${seed} does not validate`);
    return m.emitBinary() as Uint8Array<ArrayBuffer>;
  } finally {
    m.dispose();
  }
}

/** A byte-level mutation of a module (flip, insert, delete, truncate, duplicate a run), for malformed input. */
export function mutate(bytes: Uint8Array, seed: number): Uint8Array<ArrayBuffer> {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  let out = Array.from(bytes);
  // Mostly one small change, so that a good share still validates and reaches preparation and the pool.
  for (let i = 0, n = rnd() < 0.7 ? 1 : 2 + int(2); i < n; i++) {
    const at = 8 + int(out.length - 8);
    const op = rnd();
    if (op < 0.5) out[at] = int(256);
    else if (op < 0.6) out.splice(at, 0, int(256));
    else if (op < 0.7) out.splice(at, 1 + int(8));
    else if (op < 0.8) out = out.slice(0, at);
    else out.splice(at, 0, ...out.slice(at, at + 1 + int(32)));
  }
  return new Uint8Array(out);
}
