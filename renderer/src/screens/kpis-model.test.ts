import { describe, expect, it } from 'vitest';
import type { BenchRunView, KpisView } from '../../../server/api/contract';
import { ago, kpiSummary, liveRows, sparkPoints } from './kpis-model';

const NOW = 1_750_000_000_000;

describe('ago', () => {
  it('says how old a measurement is, in the largest whole unit', () => {
    expect(ago(undefined, NOW)).toBe('never');
    expect(ago(NOW - 3000, NOW)).toBe('just now');
    expect(ago(NOW - 42_000, NOW)).toBe('42 s ago');
    expect(ago(NOW - 180_000, NOW)).toBe('3 min ago');
    expect(ago(NOW - 2 * 3600_000, NOW)).toBe('2 h ago');
    expect(ago(NOW - 3 * 86_400_000, NOW)).toBe('3 d ago');
  });
});

describe('kpiSummary', () => {
  const view = (over: Partial<KpisView>): KpisView => ({
    kpis: [],
    passing: 8,
    total: 11,
    decision: 'no-go',
    blocking: [],
    missingSuites: [],
    ...over,
  });
  it('counts passing KPIs and says when they were measured, and whether a run is going', () => {
    expect(kpiSummary(view({ lastRunAt: NOW - 180_000 }), NOW)).toBe('No-Go · 8 of 11 KPIs pass · 3 min ago');
    expect(kpiSummary(view({ lastRunAt: NOW, running: 'r1' }), NOW)).toBe(
      'No-Go · 8 of 11 KPIs pass · just now · a run is going',
    );
    expect(kpiSummary(view({}), NOW)).toBe('no KPI measured yet (11 in the registry)');
  });
});

describe('liveRows', () => {
  it('puts each stream in its own column, one row per second of the run', () => {
    const run = {
      startedAt: NOW,
      samples: [
        { at: NOW, suite: 'data', stream: 'gateway warm-up', rps: 480, p50Ms: 3, p99Ms: 30 },
        { at: NOW + 1000, suite: 'data', stream: 'gateway', rps: 500, p50Ms: 2, p99Ms: 9 },
        { at: NOW + 1000, suite: 'data', stream: 'reference', rps: 499, p50Ms: 1, p99Ms: 5 },
        { at: NOW + 2000, suite: 'data', stream: 'gateway', rps: 498, p50Ms: 2, p99Ms: 12 },
        { at: NOW + 3000, suite: 'data', stream: 'gateway', rps: 497, p50Ms: 2, p99Ms: 10 },
        { at: NOW + 4000, suite: 'data', stream: 'gateway', rps: 497, p50Ms: 2, p99Ms: 10 },
      ],
    } as BenchRunView;
    expect(liveRows(run, 'p99Ms')).toEqual({
      // A stream of a few points (a closed-loop round) is flagged for dots; warm-up streams for a dashed line.
      streams: [
        { name: 'gateway warm-up', points: 1, warmUp: true },
        { name: 'gateway', points: 4, warmUp: false },
        { name: 'reference', points: 1, warmUp: false },
      ],
      rows: [
        { second: 0, 'gateway warm-up': 30 },
        { second: 1, gateway: 9, reference: 5 },
        { second: 2, gateway: 12 },
        { second: 3, gateway: 10 },
        { second: 4, gateway: 10 },
      ],
    });
  });
});

describe('sparkPoints', () => {
  it('spans the box from the lowest to the highest value; nothing for one value', () => {
    expect(sparkPoints([5], 100, 20)).toBe('');
    expect(sparkPoints([0, 10], 102, 22)).toBe('1.0,21.0 101.0,1.0');
    expect(sparkPoints([3, 3, 3], 102, 20)).toBe('1.0,10.0 51.0,10.0 101.0,10.0');
  });
});
