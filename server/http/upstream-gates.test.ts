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
});
