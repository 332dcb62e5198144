import type { BenchRunView, KpisView } from '../../../server/api/contract';

export { sparkPoints } from '../../../server/api/sparkline';

/** "3 min ago", "2 h ago", "just now": how old a measurement is. */
export function ago(at: number | undefined, now = Date.now()): string {
  if (!at) return 'never';
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 10) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** The Overview's one line: "8 of 11 KPIs pass · 3 min ago" (or that none was measured yet). */
export function kpiSummary(view: KpisView, now = Date.now()): string {
  if (!view.lastRunAt) return `no KPI measured yet (${view.total} in the registry)`;
  return `${view.passing} of ${view.total} KPIs pass · ${ago(view.lastRunAt, now)}${view.running ? ' · a run is going' : ''}`;
}

export interface LivePoint {
  second: number;
  [stream: string]: number;
}

/** A run's live samples as chart rows: one row per second since the run started, one column per stream. */
export function liveRows(run: BenchRunView, field: 'rps' | 'p99Ms'): { rows: LivePoint[]; streams: string[] } {
  const streams = [...new Set(run.samples.map((s) => s.stream))];
  const bySecond = new Map<number, LivePoint>();
  for (const s of run.samples) {
    const second = Math.round((s.at - run.startedAt) / 1000);
    const row = bySecond.get(second) ?? { second };
    row[s.stream] = s[field];
    bySecond.set(second, row);
  }
  return { rows: [...bySecond.values()].sort((a, b) => a.second - b.second), streams };
}
