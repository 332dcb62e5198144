import { performance } from 'node:perf_hooks';

export type SpanAttributes = Record<string, string | number | boolean>;

/** One hop of a request: when it started (ms after the request arrived), how long it took, and what it decided. */
export interface Span {
  name: string;
  startMs: number;
  durationMs: number;
  /** 1: a hop of the gateway's; 2: a phase inside the hop above it (PostgREST's own, a function's queue and run). */
  depth: number;
  attributes?: SpanAttributes;
}

/** Who made a request, once the gateway knows (a verified token). */
export interface TraceCaller {
  tenant: string;
  user: string;
  role: string;
}

const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

/**
 * Milliseconds with three decimals, from integer microseconds: a double's toString costs ~1 µs, and the answer's
 * Server-Timing formats a dozen of them per request.
 */
function msText(ms: number): string {
  const us = Math.round(ms * 1000);
  const frac = us % 1000;
  return `${(us - frac) / 1000}.${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}`;
}

/**
 * The trace of one request through the gateway: its W3C ids, who called, and the spans of the hops it really took.
 * Spans are plain records with times relative to the request's arrival; nothing is built for export unless an
 * exporter asks (most traces are only ever kept in the ring).
 */
export class RequestTrace {
  /** performance.now() at arrival: span times are relative to it. */
  readonly t0 = performance.now();
  readonly startedAt = Date.now();
  readonly spans: Span[] = [];
  caller?: TraceCaller;
  status = 0;
  durationMs = 0;
  /** The gateway's error code, when the answer was one of its JSON errors. */
  error?: string;
  /** The client went away before the answer was complete. */
  aborted = false;
  /** When a Fastify route's handler began (its upstream's span runs from here to the answer). */
  handlerStartMs?: number;

  constructor(
    readonly traceId: string,
    /** The gateway's own span for this request (the root of the spans below). */
    readonly spanId: string,
    /** The caller's span, when the request continued a trace. */
    readonly parentSpanId: string | undefined,
    readonly flags: string,
    readonly method: string,
    /** The URL as requested, query included (cut at 1,000 characters). */
    readonly url: string,
  ) {}

  /** Milliseconds since the request arrived. */
  now(): number {
    return performance.now() - this.t0;
  }

  /** Records a hop that started at startMs (from now()) and ends now. */
  end(name: string, startMs: number, attributes?: SpanAttributes, depth = 1): void {
    this.record(name, startMs, this.now() - startMs, attributes, depth);
  }

  /** Records a hop whose times are known already (PostgREST's own phases, a function's queue and run). */
  record(name: string, startMs: number, durationMs: number, attributes?: SpanAttributes, depth = 1): void {
    this.spans.push({ name, startMs: round3(startMs), durationMs: round3(durationMs), depth, attributes });
  }

  /** The path without the query. */
  get path(): string {
    const q = this.url.indexOf('?');
    return q === -1 ? this.url : this.url.slice(0, q);
  }

  /**
   * The figures for the answer's Server-Timing header: the gateway's hops so far and its total until the answer, in
   * milliseconds (names are tokens; a span's detail goes in desc where it helps).
   */
  serverTiming(): string {
    let header = '';
    for (const span of this.spans) header += `${span.name};dur=${msText(span.durationMs)}, `;
    return `${header}gateway;dur=${msText(this.now())}`;
  }

  finish(status: number, aborted: boolean): void {
    this.status = status;
    this.aborted = aborted;
    this.durationMs = round3(this.now());
  }
}
