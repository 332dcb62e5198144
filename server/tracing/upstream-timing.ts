import type { RequestTrace, SpanAttributes } from './request-trace.js';

/**
 * PostgREST 12.0.2 writes its Server-Timing durations in microseconds while the header's unit is milliseconds
 * (`jwt;dur=14.9` for 15 µs, checked against the request's wall time): read as µs.
 */
export const POSTGREST_TIMING_UNIT_MS = 0.001;

const ENTRY = /([A-Za-z0-9_-]+);dur=([0-9.]+)/g;

/** PostgREST's phases from its Server-Timing header, in the order it names them (jwt, parse, plan, transaction…). */
export function parseServerTiming(header: string | undefined, unitMs = 1): { name: string; durationMs: number }[] {
  if (!header) return [];
  const phases: { name: string; durationMs: number }[] = [];
  for (const [, name, dur] of header.matchAll(ENTRY)) {
    const ms = Number(dur) * unitMs;
    if (Number.isFinite(ms)) phases.push({ name: name!, durationMs: ms });
  }
  return phases;
}

/**
 * The upstream call's span, and inside it the upstream's own phases laid end to end from the call's start (PostgREST
 * and the function pool say how long each took, not when; they run in this order). Phases keep their own names
 * (PostgREST's jwt, parse, plan, transaction, response), so the answer's Server-Timing reads as the upstream's would.
 */
export function recordUpstream(
  trace: RequestTrace,
  name: string,
  startMs: number,
  attributes: SpanAttributes,
  phases: { name: string; durationMs: number }[],
): void {
  trace.end(name, startMs, attributes);
  let at = startMs;
  for (const phase of phases) {
    trace.add({ name: phase.name, startMs: at, durationMs: phase.durationMs, depth: 2 });
    at += phase.durationMs;
  }
}
