import type { RequestTrace, SpanAttributes } from './request-trace.js';

/**
 * PostgREST 12.0.2 writes its Server-Timing durations in microseconds while the header's unit is milliseconds
 * (`jwt;dur=14.9` for 15 µs, checked against the request's wall time): read as µs.
 */
export const POSTGREST_TIMING_UNIT_MS = 0.001;

/**
 * PostgREST's phases from its Server-Timing header, in the order it names them (jwt, parse, plan, transaction…):
 * `name;dur=N` entries split by commas, other parameters ignored. Read with indexOf rather than a global regex, which
 * cost ~6 µs a request on the data API's hot path.
 */
export function parseServerTiming(header: string | undefined, unitMs = 1): { name: string; durationMs: number }[] {
  if (!header) return [];
  const phases: { name: string; durationMs: number }[] = [];
  let at = 0;
  while (at < header.length) {
    const end = header.indexOf(',', at);
    const entry = header.slice(at, end === -1 ? undefined : end).trim();
    at = end === -1 ? header.length : end + 1;
    const semi = entry.indexOf(';');
    const dur = entry.indexOf('dur=', semi);
    if (semi <= 0 || dur === -1) continue;
    const next = entry.indexOf(';', dur);
    const ms = Number(entry.slice(dur + 4, next === -1 ? undefined : next)) * unitMs;
    if (Number.isFinite(ms)) phases.push({ name: entry.slice(0, semi), durationMs: ms });
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
    trace.record(phase.name, at, phase.durationMs, undefined, 2);
    at += phase.durationMs;
  }
}
