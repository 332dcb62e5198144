import { describe, expect, it } from 'vitest';
import { RequestTrace } from './request-trace.js';
import { SLOW_REQUEST_MS, TraceRing } from './trace-ring.js';

let n = 0;
function trace(url: string, status: number, opts: { tenant?: string; durationMs?: number } = {}): RequestTrace {
  n++;
  const t = new RequestTrace(n.toString(16).padStart(32, '0'), 'a'.repeat(16), undefined, '01', 'GET', url);
  if (opts.tenant) t.caller = { tenant: opts.tenant, user: 'u@x', role: 'user' };
  t.finish(status, false);
  if (opts.durationMs !== undefined) t.durationMs = opts.durationMs;
  return t;
}

describe('TraceRing', () => {
  it('keeps the newest traces up to its capacity, newest first', () => {
    const ring = new TraceRing(3, 2);
    const traces = [1, 2, 3, 4, 5].map((i) => trace(`/data/t${i}`, 200));
    for (const t of traces) ring.push(t);
    expect(ring.query({ limit: 10 }).map((t) => t.url)).toEqual(['/data/t5', '/data/t4', '/data/t3']);
    expect(ring.get(traces[0]!.traceId)).toBeUndefined();
    expect(ring.get(traces[4]!.traceId)).toBe(traces[4]);
  });

  it('keeps failed and slow requests findable after many successes went by', () => {
    const ring = new TraceRing(10, 5);
    const failed = trace('/data/notes', 403, { tenant: 'a' });
    const slow = trace('/functions/x/invoke', 200, { durationMs: SLOW_REQUEST_MS + 1 });
    ring.push(failed);
    ring.push(slow);
    for (let i = 0; i < 100; i++) ring.push(trace('/data/products', 200));
    expect(ring.query({ status: 'error', limit: 10 })).toEqual([failed]);
    expect(ring.query({ minMs: SLOW_REQUEST_MS, limit: 10 })).toEqual([slow]);
    expect(ring.get(failed.traceId)).toBe(failed);
    // Listed once though it is in both rings.
    expect(ring.query({ limit: 1000 }).filter((t) => t === failed)).toHaveLength(1);
  });

  it('filters by tenant, status (exact, class, error) and part of the path', () => {
    const ring = new TraceRing(50, 10);
    const a = trace('/data/notes?select=*', 200, { tenant: 'a' });
    const b = trace('/data/notes', 404, { tenant: 'b' });
    const c = trace('/storage/x', 503, { tenant: 'a' });
    for (const t of [a, b, c]) ring.push(t);
    expect(ring.query({ tenant: 'a', limit: 10 })).toEqual([c, a]);
    expect(ring.query({ status: '404', limit: 10 })).toEqual([b]);
    expect(ring.query({ status: '5xx', limit: 10 })).toEqual([c]);
    expect(ring.query({ status: 'error', limit: 10 })).toEqual([c, b]);
    expect(ring.query({ path: '/data/notes', limit: 10 })).toEqual([b, a]);
    expect(ring.query({ limit: 1 })).toEqual([c]);
    // A client that went away mid-answer: a failure, not a 200.
    const gone = trace('/data/notes', 200, { tenant: 'a' });
    gone.aborted = true;
    ring.push(gone);
    expect(ring.query({ status: '2xx', limit: 10 })).toEqual([a]);
    expect(ring.query({ status: 'error', limit: 10 })[0]).toBe(gone);
  });
});
