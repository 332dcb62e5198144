import type { RequestTrace } from './request-trace.js';

export interface TraceFilter {
  tenant?: string;
  /** An exact status (404), a class ('4xx', '5xx') or 'error' (400 and above, or aborted). */
  status?: string;
  /** Part of the path ('/data/notes'). */
  path?: string;
  /** Only requests that took at least this long. */
  minMs?: number;
  limit: number;
}

/** A trace is kept in the notable ring too when it failed or took this long: a flood of fast successes keeps them. */
export const SLOW_REQUEST_MS = 500;

/** A fixed-size ring: the newest `capacity` items, oldest overwritten. */
class Ring<T> {
  private readonly items: (T | undefined)[];
  private next = 0;

  constructor(readonly capacity: number) {
    this.items = new Array(capacity);
  }

  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Newest first. */
  *newest(): Generator<T> {
    for (let i = 1; i <= this.capacity; i++) {
      const item = this.items[(this.next - i + this.capacity) % this.capacity];
      if (item === undefined) return;
      yield item;
    }
  }

  clear(): void {
    this.items.fill(undefined);
    this.next = 0;
  }
}

const isError = (t: RequestTrace) => t.status >= 400 || t.aborted;

/** 'error' takes the aborted too; a status or class only the answers that went out whole with it. */
function matchesStatus(trace: RequestTrace, status: string): boolean {
  if (status === 'error') return isError(trace);
  if (trace.aborted) return false;
  if (/^[1-5]xx$/.test(status)) return Math.floor(trace.status / 100) === Number(status[0]);
  return trace.status === Number(status);
}

/**
 * The last requests' traces, bounded: `capacity` of every request, plus `notableCapacity` of the failed and slow
 * ones, so that a failure stays findable after thousands of successes went by. Memory is bounded by the two counts
 * (a trace holds a handful of spans; bench:data measures the bytes per trace).
 */
export class TraceRing {
  private readonly all: Ring<RequestTrace>;
  private readonly notable: Ring<RequestTrace>;

  constructor(
    readonly capacity = 2000,
    readonly notableCapacity = 500,
  ) {
    this.all = new Ring(capacity);
    this.notable = new Ring(notableCapacity);
  }

  push(trace: RequestTrace): void {
    this.all.push(trace);
    if (isError(trace) || trace.durationMs >= SLOW_REQUEST_MS) this.notable.push(trace);
  }

  get(traceId: string): RequestTrace | undefined {
    for (const trace of this.all.newest()) if (trace.traceId === traceId) return trace;
    for (const trace of this.notable.newest()) if (trace.traceId === traceId) return trace;
    return undefined;
  }

  /** The newest traces that match, newest first, at most `limit`; a trace in both rings is listed once. */
  query(filter: TraceFilter): RequestTrace[] {
    const matches = (t: RequestTrace) =>
      (filter.tenant === undefined || t.caller?.tenant === filter.tenant) &&
      (filter.status === undefined || matchesStatus(t, filter.status)) &&
      (filter.path === undefined || t.path.includes(filter.path)) &&
      (filter.minMs === undefined || t.durationMs >= filter.minMs);
    const seen = new Set<RequestTrace>();
    for (const ring of [this.all, this.notable])
      for (const trace of ring.newest()) if (!seen.has(trace) && matches(trace)) seen.add(trace);
    return [...seen].sort((a, b) => b.startedAt - a.startedAt || b.t0 - a.t0).slice(0, filter.limit);
  }

  clear(): void {
    this.all.clear();
    this.notable.clear();
  }
}
