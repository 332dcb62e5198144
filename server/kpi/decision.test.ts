import { describe, expect, it } from 'vitest';
import type { KpiView } from '../api/contract.js';
import { decide } from './decision.js';

const kpi = (id: string, verdict: KpiView['verdict'], suite: KpiView['suite'] = 'data'): KpiView => ({
  id,
  name: `kpi ${id}`,
  unit: 'ms',
  pocTarget: 'p',
  target: `target of ${id}`,
  method: 'm',
  suite,
  verdict,
  ...(verdict === 'not-run' ? {} : { measured: `${id} measured`, at: 1 }),
  trend: [],
  history: [],
});

describe('the Go/No-Go decision', () => {
  it('is Go when every KPI passes, with nothing blocking or missing', () => {
    expect(decide([kpi('a', 'pass'), kpi('b', 'pass')])).toEqual({ decision: 'go', blocking: [], missingSuites: [] });
  });

  it('is No-Go when one fails, even with others missing; failures are listed first with value and target', () => {
    const d = decide([kpi('a', 'not-run', 'rbac'), kpi('b', 'fail'), kpi('c', 'pass'), kpi('d', 'stale', 'wasm')]);
    expect(d.decision).toBe('no-go');
    expect(d.blocking.map((k) => [k.id, k.verdict])).toEqual([
      ['b', 'fail'],
      ['d', 'stale'],
      ['a', 'not-run'],
    ]);
    expect(d.blocking[0]).toMatchObject({ measured: 'b measured', target: 'target of b', suite: 'data' });
    expect(d.missingSuites).toEqual(['wasm', 'rbac']);
  });

  it('is incomplete when none fails but some are stale or never measured, naming the suites to run once each', () => {
    const d = decide([
      kpi('a', 'pass'),
      kpi('b', 'not-run', 'data'),
      kpi('c', 'not-run', 'data'),
      kpi('d', 'stale', 'start'),
    ]);
    expect(d.decision).toBe('incomplete');
    expect(d.missingSuites).toEqual(['start', 'data']);
    expect(d.blocking[1]).not.toHaveProperty('measured');
  });
});
