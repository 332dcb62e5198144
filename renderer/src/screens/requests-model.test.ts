import { describe, expect, it } from 'vitest';
import { duration, statusClass, tracesQuery, waterfall } from './requests-model';

const span = (name: string, startMs: number, durationMs: number, depth = 1) => ({ name, startMs, durationMs, depth });

describe('waterfall', () => {
  it('places each span over the request time, and keeps a tiny one visible', () => {
    const bars = waterfall([span('token', 0, 0.001), span('postgrest', 1, 2), span('plan', 1, 1, 2)], 4);
    expect(bars.map((b) => [b.span.name, b.leftPct, b.widthPct])).toEqual([
      ['token', 0, 0.5],
      ['postgrest', 25, 50],
      ['plan', 25, 25],
    ]);
  });

  it('never draws past the end, even when a span outlasts the recorded total', () => {
    const [bar] = waterfall([span('postgrest', 1, 9)], 5);
    expect(bar!.leftPct + bar!.widthPct).toBeLessThanOrEqual(100);
  });
});

describe('the list', () => {
  it('asks only for the filters that are set', () => {
    expect(tracesQuery({ status: '', path: ' ', tenant: '', slowOnly: false }, 500)).toEqual({ limit: 200 });
    expect(tracesQuery({ status: 'error', path: '/data', tenant: 'Acme', slowOnly: true }, 500)).toEqual({
      limit: 200,
      status: 'error',
      path: '/data',
      tenant: 'Acme',
      minMs: 500,
    });
  });

  it('reads durations and statuses as people do', () => {
    expect(duration(0.012)).toBe('12 µs');
    expect(duration(3.456)).toBe('3.46 ms');
    expect(duration(45.67)).toBe('45.7 ms');
    expect(duration(2500)).toBe('2.50 s');
    expect(statusClass(200, false)).toBe('badge-healthy');
    expect(statusClass(403, false)).toBe('badge-starting');
    expect(statusClass(200, true)).toBe('badge-failed');
  });
});
