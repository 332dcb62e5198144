import type { Socket } from 'node:net';
import { performance as loopPerformance, monitorEventLoopDelay } from 'node:perf_hooks';
import type { AdmissionView } from '../api/contract.js';
import type { DomainError } from '../errors.js';
import type { TenantPlans } from '../tenancy/tenant-plans.js';
import { FairGate, type GateLimits, type GateStats } from './fair-gate.js';

export type Upstream = 'postgrest' | 'kratos' | 'minio' | 'temporal';

/**
 * Each upstream's admission limits. PostgREST: 32 at once is three times its database pool (10), enough for its
 * measured capacity (~1,500 req/s here at ~20 ms under 32 connections); 128 waiting drain in under 100 ms at that
 * rate, so a wait past 250 ms means the machine is saturated and an answer now beats one later. Kratos hashes
 * passwords (~50–100 ms a login), MinIO and Temporal calls are heavier still: fewer at once, longer waits.
 */
export const DEFAULT_GATE_LIMITS: Readonly<Record<Upstream, GateLimits>> = {
  postgrest: { maxInFlight: 32, maxQueued: 128, maxWaitMs: 250 },
  kratos: { maxInFlight: 16, maxQueued: 64, maxWaitMs: 1000 },
  minio: { maxInFlight: 16, maxQueued: 64, maxWaitMs: 1000 },
  temporal: { maxInFlight: 16, maxQueued: 64, maxWaitMs: 1000 },
};

/** Requests of no tenant yet (sign-up, login) share one key. */
export const PUBLIC_CALLER = 'public';

/**
 * The gateway's own saturation: while its event loop is both busy (utilization over `busy` in a window) and late (a
 * timer due fires more than `lateMs` late: requests pile up in its sockets faster than it turns them around), and
 * requests find a gate full (they wait or are refused), every gate's slots are scaled down, and back up once it is
 * idle or on time again, so the time left goes to the quiet tenants' requests and to /healthz instead of to a flood.
 * No signal alone would do: a loop kept busy by a closed-loop client is on time and must not be throttled (measured:
 * slots scaled on utilization alone cost the data API half its throughput), and a loop late because other processes
 * have the CPU is not the gateway's doing. On 2 shared cores a closed loop of 32 connections made the loop both busy
 * and late while no request ever waited for a slot; scaled anyway, the PostgREST gate fell to 5–16 of 32 slots for
 * the first 3–7 s of every round: 0.69× direct PostgREST's throughput against 0.81× without that (medians of 6
 * interleaved rounds of 15 s). A flood fills the gates within a tick, so it is still scaled as before.
 */
const LOOP = { busy: 0.9, idle: 0.7, lateMs: 6, onTimeMs: 2, everyMs: 100, minScale: 0.1, restAfterTicks: 50 } as const;

/** Admission to every upstream, by tenant and weighted by the tenant's plan. */
export class UpstreamGates {
  private readonly gates: Record<Upstream, FairGate>;
  private scale = 1;
  /**
   * The controller and its 10 ms lateness probe run only while requests come: 100 wake-ups a second cost an idle
   * appliance ~0.2 % of a core (measured). The first request after a rest starts them; 5 s without one, the gateway
   * on time and every slot open, stops them.
   */
  private controller?: NodeJS.Timeout;
  private quietTicks = 0;
  /** The gates' turned-away count at the last tick. */
  private contendedBefore = 0;
  private readonly delay = monitorEventLoopDelay({ resolution: 10 });

  constructor(
    private readonly plans: TenantPlans,
    limits: Record<Upstream, GateLimits> = DEFAULT_GATE_LIMITS,
  ) {
    this.gates = {
      postgrest: new FairGate('PostgREST', limits.postgrest),
      kratos: new FairGate('Kratos', limits.kratos),
      minio: new FairGate('MinIO', limits.minio),
      temporal: new FairGate('Temporal', limits.temporal),
    };
  }

  /** Whether the controller runs now (requests came in the last few seconds). */
  get sensing(): boolean {
    return this.controller !== undefined;
  }

  private sense(): void {
    this.quietTicks = 0;
    this.delay.reset();
    this.delay.enable();
    let last = loopPerformance.eventLoopUtilization();
    this.contendedBefore = this.contended();
    this.controller = setInterval(() => {
      const now = loopPerformance.eventLoopUtilization();
      const utilization = loopPerformance.eventLoopUtilization(now, last).utilization;
      const contended = this.contended();
      // The histogram's max is the worst lateness of this window (nanoseconds), its own 10 ms tick included.
      this.adjust(utilization, Math.max(0, this.delay.max / 1e6 - 10), contended > this.contendedBefore);
      this.contendedBefore = contended;
      this.delay.reset();
      last = now;
      const quiet = this.scale === 1 && utilization < LOOP.idle && !Object.values(this.gates).some((g) => g.busy);
      this.quietTicks = quiet ? this.quietTicks + 1 : 0;
      if (this.quietTicks >= LOOP.restAfterTicks) this.stop();
    }, LOOP.everyMs);
    this.controller.unref();
  }

  private contended(): number {
    let sum = 0;
    for (const gate of Object.values(this.gates)) sum += gate.contended;
    return sum;
  }

  /**
   * Multiplicative decrease while saturated, additive increase when not (as TCP does with its window). `pressed`:
   * some request found a gate full in this window.
   */
  adjust(utilization: number, lateMs: number, pressed: boolean): void {
    const before = this.scale;
    const saturated = utilization > LOOP.busy && lateMs > LOOP.lateMs && pressed;
    // Very late (a flood's first moments find every slot open): halve, so the gateway is back in hand in a few steps.
    if (saturated) this.scale = Math.max(LOOP.minScale, this.scale * (lateMs > 8 * LOOP.lateMs ? 0.5 : 0.8));
    else if (utilization < LOOP.idle || lateMs < LOOP.onTimeMs) this.scale = Math.min(1, this.scale + 0.05);
    if (this.scale === before) return;
    for (const gate of Object.values(this.gates)) gate.setCapacity(gate.limits.maxInFlight * this.scale);
  }

  /** Stops the controller (it starts again with the next request). */
  stop(): void {
    clearInterval(this.controller);
    this.controller = undefined;
    this.delay.disable();
  }

  /** A slot at an upstream for a caller (or the refusal); the release must be called once, when it has answered. */
  async acquire(upstream: Upstream, tenant: string, signal?: AbortSignal): Promise<() => void> {
    if (!this.controller) this.sense();
    const weight = tenant === PUBLIC_CALLER ? 1 : (await this.plans.limits(tenant)).weight;
    return this.gates[upstream].acquire(tenant, weight, signal);
  }

  /**
   * A slot at an upstream now, without waiting, for a tenant whose plan is known already; undefined when the caller
   * would have to wait, be refused, or have its plan looked up: acquire() does those.
   */
  tryAcquire(upstream: Upstream, tenant: string): (() => void) | undefined {
    const weight = tenant === PUBLIC_CALLER ? 1 : this.plans.cached(tenant)?.limits.weight;
    if (weight === undefined) return undefined;
    if (!this.controller) this.sense();
    return this.gates[upstream].tryAcquire(tenant, weight);
  }

  /**
   * A slot for a request that arrived on this socket: at once when one is free, else after its wait in the fair gate
   * (or its refusal). A client that goes away while waiting gives its place up, and one that went away as it was
   * admitted its slot: undefined then.
   */
  async admit(upstream: Upstream, tenant: string, socket: Socket): Promise<(() => void) | undefined> {
    const now = this.tryAcquire(upstream, tenant);
    if (now) return now;
    const gone = new AbortController();
    const onClose = () => gone.abort();
    socket.once('close', onClose);
    let done: () => void;
    try {
      done = await this.acquire(upstream, tenant, gone.signal);
    } finally {
      socket.off('close', onClose);
    }
    if (!socket.destroyed) return done;
    done();
    return undefined;
  }

  /** A refusal the upstream's gate would give this tenant now, counted as given (for data/fast-lane.ts). */
  refuseNow(upstream: Upstream, tenant: string): DomainError | undefined {
    const gate = this.gates[upstream];
    const refusal = gate.wouldRefuse(tenant, this.plans.known(tenant)?.limits.weight ?? 1);
    if (!refusal) return undefined;
    gate.refused(tenant, refusal);
    return gate.refusal(refusal);
  }

  stats(): (GateStats & { upstream: Upstream })[] {
    return (Object.keys(this.gates) as Upstream[]).map((upstream) => ({ upstream, ...this.gates[upstream].stats() }));
  }

  /** For the dashboard: each gate now, and each caller's traffic through all of them since start. */
  view(): AdmissionView {
    const stats = this.stats();
    const byTenant = new Map<string, AdmissionView['tenants'][number]>();
    for (const gate of stats) {
      for (const t of gate.tenants) {
        const known = t.tenant === PUBLIC_CALLER ? undefined : this.plans.known(t.tenant);
        const name = t.tenant === PUBLIC_CALLER ? 'sign-up and login (no tenant yet)' : (known?.name ?? t.tenant);
        const row = byTenant.get(t.tenant) ?? {
          tenantId: t.tenant,
          name,
          plan: known?.plan,
          admitted: 0,
          rateLimited: 0,
          overloaded: 0,
          inFlight: 0,
          queued: 0,
        };
        row.admitted += t.admitted;
        row.rateLimited += t.rateLimited;
        row.overloaded += t.overloaded;
        row.inFlight += t.inFlight;
        row.queued += t.queued;
        byTenant.set(t.tenant, row);
      }
    }
    return {
      upstreams: stats.map((g) => ({
        upstream: g.upstream,
        capacity: g.capacity,
        inFlight: g.inFlight,
        queued: g.queued,
        ...g.limits,
      })),
      tenants: [...byTenant.values()],
    };
  }
}
