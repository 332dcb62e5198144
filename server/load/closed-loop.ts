import autocannon from 'autocannon';
import * as hdr from 'hdr-histogram-js';

export interface LoadResult {
  rps: number;
  requests: number;
  errors: number;
  non2xx: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/**
 * A bounded load (connections × duration) on one loopback URL. Latency percentiles come from every response's
 * time in an HDR histogram, because autocannon's own summary has no p95.
 */
export interface ClosedLoopSpec {
  url: string;
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
}

export async function load(url: string, opts: Omit<ClosedLoopSpec, 'url'>): Promise<LoadResult> {
  if (!(opts.connections > 0 && opts.connections <= 1024) || !(opts.seconds > 0 && opts.seconds <= 600))
    throw new Error(
      `a closed loop is bounded: 1–1024 connections, 0 < seconds ≤ 600 (got ${opts.connections}, ${opts.seconds})`,
    );
  if (!/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(url))
    throw new Error(`load only targets loopback, not ${url}`);
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const instance = autocannon({ url, connections: opts.connections, duration: opts.seconds, headers: opts.headers });
  (instance as unknown as NodeJS.EventEmitter).on(
    'response',
    (_client: unknown, _status: number, _bytes: number, responseTimeMs: number) => {
      histogram.recordValue(Math.max(1, Math.round(responseTimeMs * 1000)));
    },
  );
  const result = await instance;
  const pct = (p: number) => histogram.getValueAtPercentile(p) / 1000;
  return {
    rps: result.requests.total / (result.duration || opts.seconds),
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    p50Ms: pct(50),
    p95Ms: pct(95),
    p99Ms: pct(99),
  };
}
