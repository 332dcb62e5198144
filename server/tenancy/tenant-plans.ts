import type pg from 'pg';

export type PlanName = 'free' | 'pro';

/** What each plan allows; Pro gets more of everything that is shared. */
export interface PlanLimits {
  /** A tenant's share of a contended upstream (PostgREST, Kratos, MinIO, Temporal), relative to other tenants'. */
  weight: number;
  /** Function invocations of one tenant running or waiting for a thread at once. */
  functionConcurrency: number;
}

export const DEFAULT_PLAN_LIMITS: Readonly<Record<PlanName, PlanLimits>> = {
  free: { weight: 1, functionConcurrency: 2 },
  pro: { weight: 2, functionConcurrency: 4 },
};

export type PlanOverrides = Partial<Record<PlanName, Partial<PlanLimits>>>;

export interface TenantInfo {
  name: string;
  plan: PlanName;
  limits: PlanLimits;
}

/** A tenant is looked up again after this long, so a plan change reaches a running gateway. */
const TTL_MS = 30_000;

/**
 * Tenants' names and plans (app_private.tenants), cached: the hot paths that ask must not wait on the database each time.
 * The limits of each plan come from the settings (`plans` in settings.json), over the defaults.
 */
export class TenantPlans {
  private readonly cache = new Map<string, { info: TenantInfo; at: number; refreshing?: Promise<TenantInfo> }>();
  private readonly pending = new Map<string, Promise<TenantInfo>>();
  private limitsOf: Record<PlanName, PlanLimits> = DEFAULT_PLAN_LIMITS;

  constructor(
    private readonly db: pg.Pool,
    overrides: PlanOverrides = {},
  ) {
    this.setOverrides(overrides);
  }

  /** Each plan's limits now: the defaults under the settings' overrides. */
  planLimits(): Record<PlanName, PlanLimits> {
    return this.limitsOf;
  }

  /** New limits from the settings take effect at once, for known tenants too (the Settings screen's Save). */
  setOverrides(overrides: PlanOverrides): void {
    this.limitsOf = {
      free: { ...DEFAULT_PLAN_LIMITS.free, ...overrides.free },
      pro: { ...DEFAULT_PLAN_LIMITS.pro, ...overrides.pro },
    };
    for (const entry of this.cache.values()) entry.info = { ...entry.info, limits: this.limitsOf[entry.info.plan] };
  }

  async limits(tenantId: string): Promise<PlanLimits> {
    return (await this.info(tenantId)).limits;
  }

  /** What is known of a tenant without a lookup (for a dashboard listing many). */
  known(tenantId: string): TenantInfo | undefined {
    return this.cache.get(tenantId)?.info;
  }

  /** A cached tenant's info, looked up again in the background once it is older than the TTL; no lookup otherwise. */
  cached(tenantId: string): TenantInfo | undefined {
    const cached = this.cache.get(tenantId);
    if (cached && Date.now() - cached.at >= TTL_MS && !cached.refreshing) {
      cached.refreshing = this.lookup(tenantId).catch(() => cached.info);
    }
    return cached?.info;
  }

  /**
   * One lookup at a time per tenant, and a known tenant is answered from the cache while it is looked up again: a
   * hot path under load must never queue a query per request on the database (at 2,000 req/s an expiring entry did,
   * and requests waited seconds for the pool).
   */
  async info(tenantId: string): Promise<TenantInfo> {
    const cached = this.cached(tenantId);
    if (cached) return cached;
    let pending = this.pending.get(tenantId);
    if (!pending) {
      pending = this.lookup(tenantId).finally(() => this.pending.delete(tenantId));
      this.pending.set(tenantId, pending);
    }
    return pending;
  }

  private async lookup(tenantId: string): Promise<TenantInfo> {
    const { rows } = await this.db.query<{ name: string; plan: PlanName }>(
      'select name, plan from app_private.tenants where id = $1',
      [tenantId],
    );
    // An unknown tenant (deleted meanwhile) gets the smallest plan rather than an error on a hot path.
    const plan = rows[0]?.plan === 'pro' ? 'pro' : 'free';
    const info = { name: rows[0]?.name ?? tenantId, plan, limits: this.limitsOf[plan] } satisfies TenantInfo;
    this.cache.set(tenantId, { info, at: Date.now() });
    return info;
  }
}
