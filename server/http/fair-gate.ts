import { DomainError } from '../errors.js';

export interface GateLimits {
  /** Requests a gate lets through to its upstream at once. */
  maxInFlight: number;
  /** Requests that may wait for a slot, over all tenants; each tenant may hold its weighted share of them. */
  maxQueued: number;
  /** The longest a request waits for a slot before it is refused as overloaded. */
  maxWaitMs: number;
}

export type Refusal = 'rate_limited' | 'overloaded';

interface Waiter {
  tenant: string;
  grant(release: () => void): void;
  timer: NodeJS.Timeout;
}

interface TenantState {
  weight: number;
  inFlight: number;
  queue: Waiter[];
  admitted: number;
  rateLimited: number;
  overloaded: number;
}

export interface GateTenantStats {
  tenant: string;
  inFlight: number;
  queued: number;
  admitted: number;
  rateLimited: number;
  overloaded: number;
}

export interface GateStats {
  name: string;
  limits: GateLimits;
  capacity: number;
  inFlight: number;
  queued: number;
  tenants: GateTenantStats[];
}

/**
 * Admission to one upstream (PostgREST, Kratos, MinIO, Temporal), fair between tenants: at most maxInFlight requests
 * go through at once; the rest wait, each tenant within its weighted share of maxQueued and for at most maxWaitMs,
 * and a freed slot goes to the waiting tenant with the fewest requests through per unit of weight. A tenant over its
 * share while others want the upstream too is refused first (rate_limited, 429); a lone tenant over everything, or a
 * wait that runs out, is overloaded (503). Nothing waits without bound: every queue is capped by count and time.
 * Uncontended, a tenant may use every slot (no capacity is held back for tenants that are not there).
 */
export class FairGate {
  private inFlight = 0;
  private queued = 0;
  /** Slots open now: maxInFlight, or fewer while the gateway itself is saturated (see UpstreamGates' controller). */
  private capacity: number;
  /** Requests that found no free slot since start (they waited or were refused): the controller's sign of pressure. */
  private turnedAway = 0;
  /** By tenant id (from verified tokens, so few); kept after a tenant goes idle, for its counters. */
  private readonly tenants = new Map<string, TenantState>();

  constructor(
    readonly name: string,
    readonly limits: GateLimits,
  ) {
    this.capacity = limits.maxInFlight;
  }

  /** Whether a request holds or waits for a slot now. */
  get busy(): boolean {
    return this.inFlight > 0 || this.queued > 0;
  }

  /** How many requests found no free slot since start, waiting or refused. */
  get contended(): number {
    return this.turnedAway;
  }

  /** Opens fewer slots (down to one) or more again (up to maxInFlight); waiting requests take new ones at once. */
  setCapacity(slots: number): void {
    this.capacity = Math.max(1, Math.min(this.limits.maxInFlight, Math.round(slots)));
    this.next();
  }

  /**
   * Waits for a slot (or refuses at once); the release must be called exactly once when the upstream has answered.
   * A waiter whose signal aborts (its client went away) leaves the queue.
   */
  acquire(tenant: string, weight = 1, signal?: AbortSignal): Promise<() => void> {
    const admitted = this.tryAcquire(tenant, weight);
    if (admitted) return Promise.resolve(admitted);
    const state = this.tenant(tenant, weight);
    const refusal = this.refusalOf(state);
    if (refusal) {
      this.count(state, refusal);
      return Promise.reject(this.refusal(refusal));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        tenant,
        grant: resolve,
        timer: setTimeout(() => {
          const at = state.queue.indexOf(waiter);
          if (at === -1) return;
          state.queue.splice(at, 1);
          this.queued--;
          state.overloaded++;
          reject(this.refusal('overloaded', `had no free slot within ${this.limits.maxWaitMs} ms`));
        }, this.limits.maxWaitMs),
      };
      state.queue.push(waiter);
      this.queued++;
      this.turnedAway++;
      signal?.addEventListener(
        'abort',
        () => {
          const at = state.queue.indexOf(waiter);
          if (at === -1) return;
          state.queue.splice(at, 1);
          this.queued--;
          clearTimeout(waiter.timer);
          reject(new DomainError('unavailable', 'client_gone', 'the client went away while waiting'));
        },
        { once: true },
      );
    });
  }

  /** A slot now if one is free and nobody waits (the release, as acquire's); undefined when it would wait or refuse. */
  tryAcquire(tenant: string, weight = 1): (() => void) | undefined {
    if (this.inFlight >= this.capacity || this.queued > 0) return undefined;
    return this.admit(this.tenant(tenant, weight));
  }

  /**
   * Whether acquire() would refuse this tenant at once, and how, without counting or queueing anything: for a
   * refusal made before the request is parsed (see data/fast-lane.ts), which then counts it with refused().
   */
  wouldRefuse(tenant: string, weight = 1): Refusal | undefined {
    if (this.inFlight < this.capacity && this.queued === 0) return undefined;
    return this.refusalOf(this.tenant(tenant, weight));
  }

  refused(tenant: string, refusal: Refusal): void {
    this.count(this.tenant(tenant, this.tenants.get(tenant)?.weight ?? 1), refusal);
  }

  /** The refusal a tenant gets now that every slot is taken, if its share of the queue is full. */
  private refusalOf(state: TenantState): Refusal | undefined {
    const contenders = this.contenders(state);
    const share = Math.max(1, Math.floor((this.limits.maxQueued * state.weight) / contenders.weight));
    if (state.queue.length < share) return undefined;
    return contenders.count > 1 ? 'rate_limited' : 'overloaded';
  }

  private count(state: TenantState, refusal: Refusal): void {
    this.turnedAway++;
    if (refusal === 'rate_limited') state.rateLimited++;
    else state.overloaded++;
  }

  /** The error of a refusal: the same words whichever path refuses. */
  refusal(kind: Refusal, why = 'is at capacity and its queue is full'): DomainError {
    const message =
      kind === 'rate_limited'
        ? `your tenant has its share of ${this.name}'s capacity waiting already; try again shortly`
        : `${this.name} ${why}; try again shortly`;
    return new DomainError(kind, kind, message, { upstream: this.name });
  }

  stats(): GateStats {
    return {
      name: this.name,
      limits: this.limits,
      capacity: this.capacity,
      inFlight: this.inFlight,
      queued: this.queued,
      tenants: [...this.tenants].map(([tenant, s]) => ({
        tenant,
        inFlight: s.inFlight,
        queued: s.queue.length,
        admitted: s.admitted,
        rateLimited: s.rateLimited,
        overloaded: s.overloaded,
      })),
    };
  }

  private tenant(tenant: string, weight: number): TenantState {
    let state = this.tenants.get(tenant);
    if (!state) {
      state = { weight, inFlight: 0, queue: [], admitted: 0, rateLimited: 0, overloaded: 0 };
      this.tenants.set(tenant, state);
    }
    state.weight = weight;
    return state;
  }

  /** The tenants that want this upstream now (the asking one included), and their weights. */
  private contenders(asking: TenantState): { count: number; weight: number } {
    let count = 0;
    let weight = 0;
    for (const s of this.tenants.values()) {
      if (s !== asking && s.inFlight === 0 && s.queue.length === 0) continue;
      count++;
      weight += s.weight;
    }
    return { count, weight };
  }

  private admit(state: TenantState): () => void {
    this.inFlight++;
    state.inFlight++;
    state.admitted++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      state.inFlight--;
      this.next();
    };
  }

  /** A slot is free: it goes to the waiting tenant with the fewest requests through per unit of weight. */
  private next(): void {
    while (this.inFlight < this.capacity && this.queued > 0) {
      let best: TenantState | undefined;
      for (const s of this.tenants.values()) {
        if (!s.queue.length) continue;
        if (!best || s.inFlight / s.weight < best.inFlight / best.weight) best = s;
      }
      if (!best) return;
      const waiter = best.queue.shift()!;
      this.queued--;
      clearTimeout(waiter.timer);
      waiter.grant(this.admit(best));
    }
  }
}
