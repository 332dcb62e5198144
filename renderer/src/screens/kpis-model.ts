import { type BenchRunView, DECISION_LABELS, type KpisView } from '../../../server/api/contract';

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

/** The Overview's one line: "No-Go · 8 of 11 KPIs pass · 3 min ago" (or that none was measured yet). */
export function kpiSummary(view: KpisView, now = Date.now()): string {
  if (!view.lastRunAt) return `no KPI measured yet (${view.total} in the registry)`;
  return `${DECISION_LABELS[view.decision]} · ${view.passing} of ${view.total} KPIs pass · ${ago(view.lastRunAt, now)}${view.running ? ' · a run is going' : ''}`;
}

export interface LivePoint {
  second: number;
  [stream: string]: number;
}

export interface LiveStream {
  name: string;
  /** How many seconds it has: a stream of one or two points (a closed-loop round) is drawn as dots, not a line. */
  points: number;
  /** A warm-up stream: drawn apart (dashed), never counted in a percentile. */
  warmUp: boolean;
}

/**
 * A run's live samples as chart rows: one row per second since the run started, one column per stream. The x axis
 * is numeric (seconds), so gaps between suites keep their width.
 */
export function liveRows(run: BenchRunView, field: 'rps' | 'p99Ms'): { rows: LivePoint[]; streams: LiveStream[] } {
  const counts = new Map<string, number>();
  const bySecond = new Map<number, LivePoint>();
  for (const s of run.samples) {
    counts.set(s.stream, (counts.get(s.stream) ?? 0) + 1);
    const second = Math.round((s.at - run.startedAt) / 1000);
    const row = bySecond.get(second) ?? { second };
    row[s.stream] = s[field];
    bySecond.set(second, row);
  }
  const streams = [...counts].map(([name, points]) => ({ name, points, warmUp: name.endsWith(' warm-up') }));
  return { rows: [...bySecond.values()].sort((a, b) => a.second - b.second), streams };
}
