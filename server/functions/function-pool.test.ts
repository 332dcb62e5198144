import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_POOL, FunctionPool, type PoolInvocation } from './function-pool.js';
import { FunctionFailure } from './sandbox.js';
import { built, bytesOf, CONTEXT, prepared, TEST_LIMITS, text, withStart } from './test-support/modules.js';

const pools: FunctionPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.stop()));
});

function pool(options: Partial<typeof DEFAULT_POOL> = {}): FunctionPool {
  const p = new FunctionPool({ ...DEFAULT_POOL, workers: 2, ...options });
  pools.push(p);
  return p;
}

const modules = new Map<string, Uint8Array<ArrayBuffer>>();
function call(name: string, input = '', over: Partial<PoolInvocation> = {}): PoolInvocation {
  if (!modules.has(name))
    modules.set(
      name,
      prepared(name === 'start-loop' ? withStart('loop') : name === 'start-trap' ? withStart('trap') : built(name)),
    );
  return {
    tenant: 't1',
    key: `t1/${name}/v1`,
    module: () => modules.get(name)!,
    limits: TEST_LIMITS,
    tenantConcurrency: 8,
    allowedHosts: [],
    input: bytesOf(input),
    context: CONTEXT,
    ...over,
  };
}

async function failure(promise: Promise<unknown>): Promise<FunctionFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err instanceof FunctionFailure) return err;
  throw new Error(`expected a FunctionFailure, got ${String(err)}`);
}

/** How late a 10 ms timer fires on this thread: the gateway's event loop, in production. */
async function timerLagMs(): Promise<number> {
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, 10));
  return performance.now() - t0 - 10;
}

describe('the function pool runs the examples off the calling thread', () => {
  it('hello: cold first call with its phases, then a warm instance', async () => {
    const p = pool({ workers: 1 });
    const first = await p.invoke(call('hello', 'apprun'));
    expect(text(first.output)).toBe('Hello, apprun!');
    expect(first.timings.compileMs).toBeGreaterThan(0);
    expect(first.timings.instantiateMs).toBeGreaterThan(0);
    const second = await p.invoke(call('hello'));
    expect(text(second.output)).toBe('Hello, world!');
    expect(second.timings).toMatchObject({ compileMs: 0, instantiateMs: 0 });
  });

  it('lets idle threads go (the appliance gives their memory back) and starts one again on the next call', async () => {
    const p = pool({ workers: 2 });
    await Promise.all([p.invoke(call('hello')), p.invoke(call('hello'))]);
    expect(p.stats().workers).toBeGreaterThan(0);
    expect(p.releaseIdle(60_000)).toBe(0); // not idle long enough
    await new Promise((r) => setTimeout(r, 20));
    const threads = p.stats().workers;
    expect(p.releaseIdle(10)).toBe(threads);
    expect(p.stats().workers).toBe(0);
    const again = await p.invoke(call('hello', 'back'));
    expect(text(again.output)).toBe('Hello, back!');
    expect(again.timings.compileMs).toBeGreaterThan(0); // cold again: its warm instance went with the thread
    expect(p.stats().workers).toBe(1);
  });

  it('price-with-tax transforms JSON, and bad input is a function error', async () => {
    const p = pool();
    const out = JSON.parse(
      text((await p.invoke(call('price-with-tax', '{"name": "Widget", "price": 9.99, "tax_rate": 0.2}'))).output),
    );
    expect(out).toEqual({ name: 'Widget', price: 9.99, tax_rate: 0.2, tax: 2, total: 11.99 });
    const bad = await failure(p.invoke(call('price-with-tax', '{"name": "x"}')));
    expect([bad.failure, bad.message]).toEqual(['function_error', expect.stringMatching(/price/)]);
  });

  it("whoami sees the caller's tenant and role", async () => {
    const out = JSON.parse(
      text((await pool().invoke(call('whoami', '', { context: bytesOf('{"tenant_id":"t9","role":"user"}') }))).output),
    );
    expect(out).toMatchObject({ tenant_id: 't9', role: 'user' });
  });
});

describe('misbehaving functions cost only their own invocation', () => {
  it('a spinning handle ends at its deadline, while this thread stays responsive and other functions run', async () => {
    const p = pool();
    const spinning = failure(p.invoke(call('spin', '', { limits: { ...TEST_LIMITS, timeoutMs: 1500 } })));
    // Generous bounds: a blocked loop would lag by the whole 1.5 s.
    expect(await timerLagMs()).toBeLessThan(500);
    expect(text((await p.invoke(call('hello', 'meanwhile'))).output)).toBe('Hello, meanwhile!');
    expect((await spinning).failure).toBe('timeout');
    expect((await failure(p.invoke(call('spin')))).kind).toBe('timeout');
  });

  it('a start function that loops forever ends as a timeout, and the thread serves again', async () => {
    const p = pool({ workers: 1 });
    const err = await failure(p.invoke(call('start-loop')));
    expect(err.failure).toBe('timeout');
    expect(err.message).toMatch(/start function/);
    expect(text((await p.invoke(call('hello', 'after'))).output)).toBe('Hello, after!');
  });

  it('a start function that traps is a trap, not a crash', async () => {
    const err = await failure(pool().invoke(call('start-trap')));
    expect([err.failure, err.message]).toEqual(['trap', expect.stringMatching(/start function trapped: unreachable/)]);
  });

  it('a thread that overruns even the checkpoints is terminated from outside and replaced', async () => {
    // A module without checkpoints (not prepared) stands in for work the checkpoints cannot interrupt.
    const p = pool({ workers: 1, killGraceMs: 100 });
    const raw = built('spin');
    const err = await failure(p.invoke({ ...call('spin'), key: 't1/raw-spin/v1', module: () => raw }));
    expect(err.failure).toBe('timeout');
    expect(p.stats().replacedWorkers).toBe(1);
    expect(text((await p.invoke(call('hello', 'fresh thread'))).output)).toBe('Hello, fresh thread!');
  });

  it('fails a memory bomb inside its cap, without growing this process', async () => {
    const p = pool();
    const before = process.memoryUsage().rss;
    const err = await failure(p.invoke(call('bomb')));
    expect([err.failure, err.message]).toEqual(['out_of_memory', expect.stringMatching(/16 MiB/)]);
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
    expect(text((await p.invoke(call('hello', 'ok'))).output)).toBe('Hello, ok!');
  });

  it('refuses oversized input before any work', async () => {
    expect((await failure(pool().invoke(call('hello', 'x'.repeat(65 * 1024))))).failure).toBe('input_too_large');
  });
});

describe("a tenant's share of the pool", () => {
  it('refuses a tenant over its concurrency at once (rate_limited), while another tenant is served', async () => {
    const p = pool();
    const slow = { limits: { ...TEST_LIMITS, timeoutMs: 800 }, tenantConcurrency: 1 };
    const first = failure(p.invoke(call('spin', '', slow)));
    const refused = await failure(p.invoke(call('spin', '', slow)));
    expect([refused.failure, refused.message]).toEqual([
      'rate_limited',
      expect.stringMatching(/plan allows 1 at once/),
    ]);
    expect(text((await p.invoke(call('hello', 'other tenant', { tenant: 't2', key: 't2/hello/v1' }))).output)).toBe(
      'Hello, other tenant!',
    );
    expect((await first).failure).toBe('timeout');
  });

  it('queues within its bound and refuses beyond it (overloaded); a queued call gives up after its wait', async () => {
    const p = pool({ workers: 1, maxQueued: 1, maxQueueWaitMs: 300 });
    const spin = { limits: { ...TEST_LIMITS, timeoutMs: 1000 } };
    const running = failure(p.invoke(call('spin', '', spin)));
    const queued = failure(p.invoke(call('hello', 'queued')));
    const overflow = await failure(p.invoke(call('hello', 'overflow')));
    expect(overflow.failure).toBe('overloaded');
    expect((await queued).failure).toBe('overloaded');
    expect((await running).failure).toBe('timeout');
    const after = await p.invoke(call('hello', 'after'));
    expect(text(after.output)).toBe('Hello, after!');
  });

  it('keeps warm instances within the memory budget, evicting the least recently used', async () => {
    // Each warm hello costs its linear memory; a budget of one instance's worth keeps one warm at a time.
    const p = pool({ workers: 1 });
    await p.invoke(call('hello'));
    const one = p.stats().warmBytes;
    expect(one).toBeGreaterThan(0);
    const tight = pool({ workers: 1, warmBudgetBytes: one });
    await tight.invoke(call('hello'));
    await tight.invoke(call('whoami'));
    expect(tight.stats().warmBytes).toBeLessThanOrEqual(one);
    // the evicted one still runs: instantiated again, from its compiled module
    const again = await tight.invoke(call('hello', 'back'));
    expect(text(again.output)).toBe('Hello, back!');
    expect(again.timings.compileMs).toBe(0);
    expect(again.timings.instantiateMs).toBeGreaterThan(0);
  });

  it('forgets a function version everywhere when it is unloaded', async () => {
    const p = pool({ workers: 1 });
    await p.invoke(call('hello'));
    p.unload('t1/hello/v1');
    const reloaded = await p.invoke(call('hello', 'reloaded'));
    expect(reloaded.timings.compileMs).toBeGreaterThan(0);
  });
});
