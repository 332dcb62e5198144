import type { SpanView, TracesQueryView } from '../../../server/api/views';

/** One bar of the waterfall: where it starts and how wide it is, in % of the request's whole time. */
export interface WaterfallBar {
  span: SpanView;
  leftPct: number;
  widthPct: number;
}

/** The spans as bars over the request's duration (a span is at least a hairline wide, so every hop shows). */
export function waterfall(spans: SpanView[], totalMs: number): WaterfallBar[] {
  const total = Math.max(totalMs, ...spans.map((s) => s.startMs + s.durationMs), 0.001);
  return spans.map((span) => {
    const leftPct = Math.min(100, (span.startMs / total) * 100);
    return { span, leftPct, widthPct: Math.max(0.5, Math.min(100 - leftPct, (span.durationMs / total) * 100)) };
  });
}

/** A duration as people read it: µs under a tenth of a millisecond, ms with one decimal, seconds past a second. */
export function duration(ms: number): string {
  if (ms < 0.1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export type StatusFilter = '' | 'error' | '4xx' | '5xx' | '2xx';

export interface RequestFilters {
  status: StatusFilter;
  path: string;
  tenant: string;
  slowOnly: boolean;
}

/** The list's query for the filters on screen (empty fields are left out). */
export function tracesQuery(filters: RequestFilters, slowMs: number): TracesQueryView {
  return {
    limit: 200,
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.path.trim() ? { path: filters.path.trim() } : {}),
    ...(filters.tenant.trim() ? { tenant: filters.tenant.trim() } : {}),
    ...(filters.slowOnly ? { minMs: slowMs } : {}),
  };
}

/** The badge class of a status: failed for 5xx and aborted, starting (amber) for 4xx. */
export function statusClass(status: number, aborted: boolean): string {
  if (aborted || status >= 500) return 'badge-failed';
  if (status >= 400) return 'badge-starting';
  return 'badge-healthy';
}
