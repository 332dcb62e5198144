import type pg from 'pg';

export type PlanName = 'free' | 'pro';

/** What each plan allows; Pro gets more of everything that is shared. */
export interface PlanLimits {
  /** Function invocations of one tenant running or waiting for a thread at once. */
  functionConcurrency: number;
}

export const PLAN_LIMITS: Record<PlanName, PlanLimits> = {
  free: { functionConcurrency: 2 },
  pro: { functionConcurrency: 4 },
};

/** A plan is looked up again after this long, so a plan change reaches a running gateway. */
const TTL_MS = 30_000;

/** Tenants' plans (api.tenants.plan), cached: the hot paths that ask must not wait on the database each time. */
export class TenantPlans {
  private readonly cache = new Map<string, { plan: PlanName; at: number }>();

  constructor(private readonly db: pg.Pool) {}

  async limits(tenantId: string): Promise<PlanLimits> {
    return PLAN_LIMITS[await this.plan(tenantId)];
  }

  async plan(tenantId: string): Promise<PlanName> {
    const cached = this.cache.get(tenantId);
    if (cached && Date.now() - cached.at < TTL_MS) return cached.plan;
    const { rows } = await this.db.query<{ plan: PlanName }>('select plan from api.tenants where id = $1', [tenantId]);
    // An unknown tenant (deleted meanwhile) gets the smallest plan rather than an error on a hot path.
    const plan = rows[0]?.plan === 'pro' ? 'pro' : 'free';
    this.cache.set(tenantId, { plan, at: Date.now() });
    return plan;
  }
}
