import { describe, expect, it } from 'vitest';
import { RequestTrace } from './request-trace.js';
import { parseServerTiming, recordUpstream } from './upstream-timing.js';

describe('parseServerTiming', () => {
  it("reads PostgREST's phases in order, in the given unit", () => {
    expect(
      parseServerTiming('jwt;dur=14.9, parse;dur=71.1, plan;dur=109.0, transaction;dur=353.2, response;dur=4.4', 0.001),
    ).toEqual([
      { name: 'jwt', durationMs: 0.0149 },
      { name: 'parse', durationMs: 0.0711 },
      { name: 'plan', durationMs: 0.109 },
      { name: 'transaction', durationMs: 0.3532 },
      { name: 'response', durationMs: 0.0044 },
    ]);
  });

  it('ignores a missing or malformed header', () => {
    expect(parseServerTiming(undefined)).toEqual([]);
    expect(parseServerTiming('nonsense')).toEqual([]);
  });
});

describe('recordUpstream', () => {
  it('adds the call and its phases end to end inside it, and they reach Server-Timing', () => {
    const trace = new RequestTrace('1'.repeat(32), '2'.repeat(16), undefined, '01', 'GET', '/data/x');
    recordUpstream(trace, 'postgrest', 0, { status: 200 }, [
      { name: 'plan', durationMs: 0.1 },
      { name: 'transaction', durationMs: 0.3 },
    ]);
    expect(trace.spans.map((s) => [s.name, s.depth, s.startMs])).toEqual([
      ['postgrest', 1, 0],
      ['plan', 2, 0],
      ['transaction', 2, 0.1],
    ]);
    expect(trace.serverTiming()).toMatch(
      /^postgrest;dur=[\d.]+, plan;dur=0\.100, transaction;dur=0\.300, gateway;dur=/,
    );
  });
});

describe('Server-Timing edge cases', () => {
  it('skips entries without a duration and keeps other parameters out of the name', () => {
    expect(parseServerTiming('cache;desc="hit", db;dur=53, app;dur=47.2;desc="x", bad;dur=abc')).toEqual([
      { name: 'db', durationMs: 53 },
      { name: 'app', durationMs: 47.2 },
    ]);
  });

  it('formats durations with three decimals, however small or large', () => {
    const trace = new RequestTrace('1'.repeat(32), '2'.repeat(16), undefined, '01', 'GET', '/data/x');
    trace.record('a', 0, 0.004);
    trace.record('b', 0, 12.0456);
    trace.record('c', 0, 1234.5);
    expect(trace.serverTiming()).toMatch(/^a;dur=0\.004, b;dur=12\.046, c;dur=1234\.500, gateway;dur=\d+\.\d{3}$/);
  });
});
