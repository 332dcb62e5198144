import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { TenantPlans } from '../tenancy/tenant-plans.js';
import { PUBLIC_CALLER, UpstreamGates } from './upstream-gates.js';

// Public callers have no plan: the database is never asked.
const plans = new TenantPlans({} as pg.Pool);

describe('UpstreamGates controller', () => {
  it('rests while no request comes, starts with the first, and rests again 5 s after the last', async () => {
    const gates = new UpstreamGates(plans);
    try {
      expect(gates.sensing).toBe(false);
      const release = await gates.acquire('postgrest', PUBLIC_CALLER);
      expect(gates.sensing).toBe(true);
      // Still held: a request in flight keeps it running however long it takes.
      await new Promise((r) => setTimeout(r, 5_500));
      expect(gates.sensing).toBe(true);
      release();
      await new Promise((r) => setTimeout(r, 5_500));
      expect(gates.sensing).toBe(false);
      (await gates.acquire('kratos', PUBLIC_CALLER))();
      expect(gates.sensing).toBe(true);
    } finally {
      gates.stop();
    }
  }, 30_000);

  it('scales the slots down only while requests find a gate full, not for a busy, late loop alone', () => {
    const gates = new UpstreamGates(plans);
    const capacity = () => gates.view().upstreams.find((u) => u.upstream === 'postgrest')!.capacity;
    // A closed loop on shared cores: the loop busy and late, yet no request ever waited for a slot.
    for (let tick = 0; tick < 10; tick++) gates.adjust(0.99, 20, false);
    expect(capacity()).toBe(32);
    // A flood: the same loop, and requests turned away.
    gates.adjust(0.99, 20, true);
    expect(capacity()).toBe(26);
    gates.adjust(0.99, 100, true);
    expect(capacity()).toBe(13);
    // On time again: back up by a twentieth of the slots a tick.
    gates.adjust(0.5, 0, false);
    expect(capacity()).toBe(14);
  });
});
