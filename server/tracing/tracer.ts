import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestTrace } from './request-trace.js';
import { formatTraceparent, parseTraceparent, TraceIds } from './trace-context.js';
import type { TraceRing } from './trace-ring.js';

/** Where the gateway's tenant traffic goes: these requests are traced; the dashboard and control API are not. */
export const TRACED_PREFIXES = ['/data/', '/functions', '/workflows', '/storage', '/auth/'] as const;

const TRACE = Symbol('apprun.trace');
type TracedMessage = IncomingMessage & { [TRACE]?: RequestTrace };

/** The trace the gateway started for this request, if it traces it. */
export const traceOf = (req: IncomingMessage): RequestTrace | undefined => (req as TracedMessage)[TRACE];

const ERROR_CODE = /^\{"error":"([a-z_]{1,64})"/;

/** The gateway's error code at the start of a JSON error body (`{"error":"forbidden",…`). */
export function errorCodeOf(body: unknown): string | undefined {
  if (typeof body === 'string') return ERROR_CODE.exec(body.slice(0, 80))?.[1];
  if (Buffer.isBuffer(body)) return ERROR_CODE.exec(body.toString('latin1', 0, 80))?.[1];
  return undefined;
}

const URL_LIMIT = 1000;

/**
 * Starts one trace per tenant request (W3C Trace Context: an incoming traceparent is continued, otherwise a trace
 * starts), and keeps it in the ring once the answer is out (which carries its traceparent: traceHeaders). Turned off at run time
 * (benchmarks, `PUT /api/traces/settings`), it costs one boolean check per request.
 */
export class Tracer {
  private readonly ids = new TraceIds();
  private readonly listeners: ((trace: RequestTrace) => void)[] = [];

  constructor(
    readonly ring: TraceRing,
    public enabled = true,
  ) {}

  /** Called with every finished trace (the OTLP exporter). */
  onFinish(listener: (trace: RequestTrace) => void): void {
    this.listeners.push(listener);
  }

  offFinish(listener: (trace: RequestTrace) => void): void {
    const at = this.listeners.indexOf(listener);
    if (at !== -1) this.listeners.splice(at, 1);
  }

  begin(req: IncomingMessage, res: ServerResponse): RequestTrace | undefined {
    if (!this.enabled) return undefined;
    const url = req.url ?? '/';
    if (!TRACED_PREFIXES.some((prefix) => url.startsWith(prefix))) return undefined;
    const parent = parseTraceparent(req.headers.traceparent);
    const trace = new RequestTrace(
      parent?.traceId ?? this.ids.traceId(),
      this.ids.spanId(),
      parent?.parentSpanId,
      parent?.flags ?? '01',
      req.method ?? 'GET',
      url.length > URL_LIMIT ? url.slice(0, URL_LIMIT) : url,
    );
    (req as TracedMessage)[TRACE] = trace;
    // The answer's traceparent and Server-Timing go into its own headers where it is written (the fast lane, the
    // tracing hooks): a header set here would make every writeHead merge two header lists.
    res.once('close', () => {
      trace.finish(res.statusCode, !res.writableFinished);
      this.ring.push(trace);
      for (const listener of this.listeners) listener(trace);
    });
    return trace;
  }
}

type ContextRunner = <T>(trace: RequestTrace, fn: () => T) => T;
let runInContext: ContextRunner = (_trace, fn) => fn();

/** Set by the OTLP export: upstream calls made inside `inTraceContext` become children of the request's span. */
export function setContextRunner(runner: ContextRunner): void {
  runInContext = runner;
}

/**
 * Runs fn as part of the request's trace for libraries that trace themselves (Temporal's client interceptor): with
 * OpenTelemetry on, their spans join the request's trace; otherwise it just runs fn.
 */
export function inTraceContext<T>(req: IncomingMessage, fn: () => T): T {
  const trace = traceOf(req);
  return trace ? runInContext(trace, fn) : fn();
}

/** Sets the headers a traced answer carries into `headers`: its traceparent, and the hops so far as Server-Timing. */
export function traceHeaders(trace: RequestTrace, headers: Record<string, string> = {}): Record<string, string> {
  headers.traceparent = formatTraceparent(trace.traceId, trace.spanId, trace.flags);
  headers['server-timing'] = trace.serverTiming();
  return headers;
}
