import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DomainError } from '../errors.js';
import { FairGate } from './fair-gate.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** Starts n requests of a tenant; each resolves to its release, or to the refusal's kind. */
function ask(gate: FairGate, tenant: string, n: number, weight = 1) {
  return Array.from({ length: n }, () =>
    gate.acquire(tenant, weight).then(
      (release) => ({ release }),
      (err: DomainError) => ({ refused: err.kind }),
    ),
  );
}
const settled = () => vi.advanceTimersByTimeAsync(0);

describe('FairGate', () => {
  it('lets everything through uncontended, up to its slots, then queues', async () => {
    const gate = new FairGate('postgrest', { maxInFlight: 4, maxQueued: 8, maxWaitMs: 200 });
    const first = await Promise.all(ask(gate, 'a', 4));
    expect(first.every((r) => 'release' in r)).toBe(true);
    const waiting = ask(gate, 'a', 2);
    await settled();
    expect(gate.stats()).toMatchObject({ inFlight: 4, queued: 2 });
    (first[0] as { release: () => void }).release();
    expect('release' in (await waiting[0]!)).toBe(true);
  });

  it('a lone tenant beyond slots and queue is overloaded at once; a wait that runs out too', async () => {
    const gate = new FairGate('postgrest', { maxInFlight: 2, maxQueued: 3, maxWaitMs: 200 });
    const results = ask(gate, 'a', 6);
    await settled();
    // Two admitted at once; three waited and one was refused at once: four found the gate full.
    expect(gate.contended).toBe(4);
    expect(await results[5]).toEqual({ refused: 'overloaded' });
    await vi.advanceTimersByTimeAsync(200);
    expect((await Promise.all(results.slice(2, 5))).map((r) => r)).toEqual([
      { refused: 'overloaded' },
      { refused: 'overloaded' },
      { refused: 'overloaded' },
    ]);
    expect(gate.stats().queued).toBe(0);
  });

  it('a greedy tenant is refused first (429) while a quiet one is served next', async () => {
    const gate = new FairGate('postgrest', { maxInFlight: 4, maxQueued: 8, maxWaitMs: 1000 });
    const greedy = ask(gate, 'greedy', 30);
    await settled();
    // Alone: 4 through, 8 waiting (all of the queue), the rest overloaded at once.
    expect((await Promise.all(greedy.slice(12))).every((r) => 'refused' in r && r.refused === 'overloaded')).toBe(true);
    const quiet = ask(gate, 'quiet', 2);
    await settled();
    // Now two tenants want the upstream: greedy's share of the queue halves, and it is rate limited first.
    expect(await Promise.all(ask(gate, 'greedy', 3))).toEqual([
      { refused: 'rate_limited' },
      { refused: 'rate_limited' },
      { refused: 'rate_limited' },
    ]);
    // The next free slot goes to the quiet tenant (none through), not to greedy's older waiters.
    ((await greedy[0]!) as { release: () => void }).release();
    expect('release' in (await quiet[0]!)).toBe(true);
    expect(gate.stats().tenants.find((t) => t.tenant === 'quiet')).toMatchObject({ inFlight: 1, queued: 1 });
    expect(gate.stats().tenants.find((t) => t.tenant === 'greedy')).toMatchObject({ rateLimited: 3, overloaded: 18 });
  });

  it('shares slots by weight under contention: a Pro tenant (weight 2) gets twice a Free one', async () => {
    const gate = new FairGate('postgrest', { maxInFlight: 3, maxQueued: 30, maxWaitMs: 10_000 });
    const holding: { tenant: string; release: () => void }[] = [];
    const grants: string[] = [];
    const start = (tenant: string, weight: number) => {
      for (let i = 0; i < 15; i++) {
        void gate.acquire(tenant, weight).then((release) => {
          grants.push(tenant);
          holding.push({ tenant, release });
        });
      }
    };
    start('free', 1);
    start('pro', 2);
    await settled();
    expect(grants).toEqual(['free', 'free', 'free']); // first come, while uncontended
    for (let i = 0; i < 12; i++) {
      holding.shift()!.release();
      await settled();
    }
    const later = grants.slice(3);
    expect(later).toHaveLength(12);
    // Each freed slot went to whoever had fewer requests through per unit of weight: Pro ends with two for each Free.
    const through = (t: string) => holding.filter((h) => h.tenant === t).length;
    expect([through('free'), through('pro')]).toEqual([1, 2]);
    expect(later.filter((t) => t === 'pro').length).toBeGreaterThan(later.filter((t) => t === 'free').length);
  });
});
