import { describe, expect, it } from 'vitest';
import type { MetricsSampleView, Usage } from '../../../server/api/contract';
import { appendSamples, budgetLine, cpuRows, memoryAxisMax, memoryRows, SERIES } from './chart-data';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const use = (memoryMb: number, cpuPercent = 0): Usage => ({ memoryBytes: memoryMb * MiB, cpuPercent });

/** A sample whose total is what its parts add up to, as the supervisor reports it. */
function sample(at: number, services: Record<string, Usage>, appliance = use(80, 2)): MetricsSampleView {
  const all = [...Object.values(services), appliance];
  return {
    at,
    services,
    appliance,
    total: {
      memoryBytes: all.reduce((n, u) => n + u.memoryBytes, 0),
      cpuPercent: all.reduce((n, u) => n + u.cpuPercent, 0),
    },
  };
}

const idle = sample(1_000, {
  postgres: use(120.04, 1.26),
  postgrest: use(30, 0.4),
  kratos: use(45.55, 0),
  temporal: use(210, 3.25),
  minio: use(105, 0.05),
});

describe('memoryRows', () => {
  it('gives one row per sample with every series in MB, one decimal', () => {
    expect(memoryRows([idle])).toEqual([
      { at: 1_000, postgres: 120, postgrest: 30, kratos: 45.6, temporal: 210, minio: 105, appliance: 80 },
    ]);
  });

  it('has a key for each service and the appliance, in the charts’ order', () => {
    expect(Object.keys(memoryRows([idle])[0]!)).toEqual(['at', ...SERIES]);
    expect(SERIES).toEqual(['postgres', 'postgrest', 'kratos', 'temporal', 'minio', 'appliance']);
  });

  it('puts 0 for a service missing from a sample (stopped, or not started yet), keeping the stack continuous', () => {
    const [row] = memoryRows([sample(2_000, { postgres: use(100) })]);
    expect(row).toEqual({ at: 2_000, postgres: 100, postgrest: 0, kratos: 0, temporal: 0, minio: 0, appliance: 80 });
  });

  it('keeps the samples’ order and is empty for no samples', () => {
    expect(memoryRows([sample(3, {}), sample(1, {}), sample(2, {})]).map((r) => r.at)).toEqual([3, 1, 2]);
    expect(memoryRows([])).toEqual([]);
  });
});

describe('cpuRows', () => {
  it('gives CPU in % of one core, one decimal, 0 for a missing service', () => {
    const [row] = cpuRows([
      sample(1_000, { postgres: use(0, 1.26), temporal: use(0, 3.06), minio: use(0, 0.04) }, use(0, 150)),
    ]);
    expect(row).toEqual({ at: 1_000, postgres: 1.3, postgrest: 0, kratos: 0, temporal: 3.1, minio: 0, appliance: 150 });
  });
});

describe('budgetLine', () => {
  it('sits at the budget in MB, labelled in GB when it is whole gigabytes', () => {
    expect(budgetLine([idle], GiB)).toMatchObject({ mb: 1024, label: '1 GB budget' });
    expect(budgetLine([idle], 2 * GiB)).toMatchObject({ mb: 2048, label: '2 GB budget' });
    expect(budgetLine([idle], 768 * MiB)).toMatchObject({ mb: 768, label: '768 MB budget' });
  });

  it('is muted under 80 %, amber from 80 %, red over the budget, judged by the latest sample’s total', () => {
    expect(budgetLine([idle], GiB)).toMatchObject({ level: 'ok', stroke: 'var(--muted)' });
    const near = sample(2_000, { temporal: use(800) });
    const over = sample(3_000, { temporal: use(1000) });
    expect(budgetLine([idle, near], GiB)).toMatchObject({ level: 'warn', stroke: 'var(--warn)' });
    expect(budgetLine([idle, near, over], GiB)).toMatchObject({ level: 'over', stroke: 'var(--over)' });
    expect(budgetLine([over, idle], GiB).level).toBe('ok');
  });

  it('is ok with no samples yet', () => {
    expect(budgetLine([], GiB)).toEqual({ mb: 1024, label: '1 GB budget', level: 'ok', stroke: 'var(--muted)' });
  });
});

describe('memoryAxisMax', () => {
  it('keeps the budget line in view with 10 % headroom, rounded up to 100 MB', () => {
    expect(memoryAxisMax(1024, 590)).toBe(1200);
    expect(memoryAxisMax(1024, 0)).toBe(1200);
  });

  it('grows with the data when the stack is over the budget', () => {
    expect(memoryAxisMax(1024, 1530.2)).toBe(1600);
  });
});

describe('appendSamples', () => {
  const at = (...times: number[]) => times.map((t) => sample(t, {}));
  const times = (samples: MetricsSampleView[]) => samples.map((s) => s.at);

  it('appends the fresh samples to the history', () => {
    expect(times(appendSamples(at(1, 2), at(3, 4), 300))).toEqual([1, 2, 3, 4]);
    expect(times(appendSamples([], at(1), 300))).toEqual([1]);
  });

  it('drops the oldest beyond the limit', () => {
    expect(times(appendSamples(at(1, 2, 3), at(4, 5), 3))).toEqual([3, 4, 5]);
  });

  it('counts a repeated or overtaken sample once', () => {
    expect(times(appendSamples(at(1, 2, 3), at(2, 3, 4), 300))).toEqual([1, 2, 3, 4]);
    const held = at(1, 2, 3);
    expect(appendSamples(held, at(3), 300)).toBe(held);
    expect(appendSamples(held, [], 300)).toBe(held);
  });
});
