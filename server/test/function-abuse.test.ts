import { describe, expect, it } from 'vitest';
import { withStart } from '../functions/test-support/modules.js';
import { call, deployFunction, expectCleanError, gateway, stack, tokenFor, wasmModule } from './http.js';

// A hostile tenant's modules and invocations, against the real gateway: each costs only its own invocation.

const invoke = (token: string, name: string, body = '') => call('POST', gateway(`/functions/${name}/invoke`), { token, body, headers: { 'content-type': 'text/plain' } });

/** How long the gateway takes to answer /healthz and a /data read. */
async function probe(token: string): Promise<{ healthzMs: number; dataMs: number; statuses: number[] }> {
  const t0 = performance.now();
  const health = await call('GET', gateway('/healthz'));
  const t1 = performance.now();
  const data = await call('GET', gateway('/data/products?select=name'), { token });
  return { healthzMs: t1 - t0, dataMs: performance.now() - t1, statuses: [health.status, data.status] };
}

describe('functions cannot take the gateway down', () => {
  it('a start function that loops forever ends as 504, and the gateway keeps answering', async () => {
    const alice = await tokenFor('alice@test.com');
    const deployed = await deployFunction(gateway(''), alice, 'start-loop', Buffer.from(withStart('loop')), { timeout_ms: 500 });
    expect(deployed.status).toBe(201);
    const res = await invoke(alice, 'start-loop');
    expectCleanError(res, 504);
    expect(res.json).toMatchObject({ error: 'timeout', message: expect.stringMatching(/start function/) });
    expect((await call('GET', gateway('/healthz'))).status).toBe(200);
    // and it stays a clean 504 on the next call (a fresh instance is tried, and stopped again)
    expectCleanError(await invoke(alice, 'start-loop'), 504);
  });

  it('a start function that traps is a 422 naming the trap', async () => {
    const alice = await tokenFor('alice@test.com');
    expect((await deployFunction(gateway(''), alice, 'start-trap', Buffer.from(withStart('trap')))).status).toBe(201);
    const res = await invoke(alice, 'start-trap');
    expectCleanError(res, 422);
    expect(res.json).toMatchObject({ error: 'trap', message: expect.stringMatching(/start function trapped: unreachable/), function: 'start-trap' });
  });

  it('while functions spin at their maximum timeout, /healthz and /data answer promptly; a tenant over its plan gets 429', async () => {
    const [alice, bob, charlie] = [await tokenFor('alice@test.com'), await tokenFor('bob@test.com'), await tokenFor('charlie@test.com')];
    expect((await deployFunction(gateway(''), alice, 'spin', wasmModule('spin'), { timeout_ms: 5000 })).status).toBe(201);
    expect((await deployFunction(gateway(''), charlie, 'spin', wasmModule('spin'), { timeout_ms: 5000 })).status).toBe(201);
    // Test Tenant 1 is on the Free plan (2 at once), Test Tenant 2 on Pro.
    const spinning = [invoke(bob, 'spin'), invoke(bob, 'spin'), invoke(charlie, 'spin')];
    await new Promise((r) => setTimeout(r, 300));
    const refused = await invoke(bob, 'spin');
    expectCleanError(refused, 429);
    expect(refused.json.error).toBe('rate_limited');
    expect(refused.headers['retry-after']).toBe('1');
    const probes = [];
    for (let i = 0; i < 10; i++) {
      probes.push(await probe(bob));
      await new Promise((r) => setTimeout(r, 200));
    }
    // A generous bound, as a hang detector (the real figures are bench:wasm's): before the pool, these waited ~15 s.
    for (const p of probes) {
      expect(p.statuses).toEqual([200, 200]);
      expect(p.healthzMs).toBeLessThan(2000);
      expect(p.dataMs).toBeLessThan(2000);
    }
    for (const res of await Promise.all(spinning)) expectCleanError(res, 504);
  }, 90_000);
});
