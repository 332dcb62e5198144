import { type MetricsSampleView, SERVICE_NAMES, type Usage } from '../../../server/api/contract';
import { budgetLevel } from '../format';

/** The charts' series: each service, then the core process itself (the gateway, the worker, the supervisor). */
export const SERIES = [...SERVICE_NAMES, 'appliance'] as const;
export type SeriesName = (typeof SERIES)[number];

export const SERIES_COLORS: Record<SeriesName, string> = {
  postgres: '#336791',
  postgrest: '#2e9e6a',
  kratos: '#8a63d2',
  temporal: '#e07b39',
  minio: '#c72e49',
  appliance: '#7d8590',
};

/** One point in time: `at` (ms since the epoch) and a value per series. */
export type ChartRow = { at: number } & Record<SeriesName, number>;

const MiB = 2 ** 20;
const oneDecimal = (n: number) => Math.round(n * 10) / 10;

function rows(samples: MetricsSampleView[], value: (u: Usage) => number): ChartRow[] {
  return samples.map((s) => {
    const row = { at: s.at } as ChartRow;
    // A service without a sample (stopped, or not started yet) is 0, so the stack stays continuous.
    for (const k of SERIES) {
      const usage = k === 'appliance' ? s.appliance : s.services[k];
      row[k] = usage ? oneDecimal(value(usage)) : 0;
    }
    return row;
  });
}

/** Memory per series in MB (2^20 bytes), one decimal. */
export const memoryRows = (samples: MetricsSampleView[]) => rows(samples, (u) => u.memoryBytes / MiB);

/** CPU per series in % of one core, one decimal. */
export const cpuRows = (samples: MetricsSampleView[]) => rows(samples, (u) => u.cpuPercent);

export interface BudgetLine {
  /** Where the line is drawn, in the chart's unit (MB). */
  mb: number;
  label: string;
  /** From the latest sample's total: the line turns amber near the budget and red over it. */
  level: 'ok' | 'warn' | 'over';
  stroke: string;
}

export function budgetLine(samples: MetricsSampleView[], budgetBytes: number): BudgetLine {
  const last = samples.at(-1);
  const level = last ? budgetLevel(last.total.memoryBytes, budgetBytes) : 'ok';
  const mb = budgetBytes / MiB;
  const label = mb >= 1024 && mb % 1024 === 0 ? `${mb / 1024} GB budget` : `${Math.round(mb)} MB budget`;
  return { mb, label, level, stroke: level === 'ok' ? 'var(--muted)' : `var(--${level})` };
}

/** The memory axis' top: the budget line always in view with headroom, rounded up to 100 MB. */
export const memoryAxisMax = (budgetMb: number, dataMax: number) =>
  Math.ceil(Math.max(budgetMb * 1.1, dataMax) / 100) * 100;

/**
 * The charts' history after a poll: the fresh samples newer than the last one held, appended, the oldest dropped
 * beyond `limit`. A sample at or before the last one (a repeated or overtaken answer) is not counted twice.
 */
export function appendSamples(
  held: MetricsSampleView[],
  fresh: MetricsSampleView[],
  limit: number,
): MetricsSampleView[] {
  const lastAt = held.at(-1)?.at ?? -Infinity;
  const newer = fresh.filter((s) => s.at > lastAt);
  return newer.length ? [...held, ...newer].slice(-limit) : held;
}
