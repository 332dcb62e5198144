// OpenTelemetry out: loaded only when OTEL_EXPORTER_OTLP_ENDPOINT is set (the standard variable, which the OTLP/HTTP
// exporter reads itself). Every finished trace of the ring is handed over as OTel spans with the ids the client saw.
import {
  context,
  trace as otel,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type IdGenerator,
  RandomIdGenerator,
} from '@opentelemetry/sdk-trace-base';
import type { RequestTrace } from './request-trace.js';
import { setContextRunner, type Tracer } from './tracer.js';

export const SERVICE_NAME = 'apprun-gateway';

/**
 * Ids for the spans about to be made: the request's root span takes the trace and span ids its answer's traceparent
 * already carries (so a client's trace and the exported one are the same); every other span gets random ones.
 */
class GivenIds implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  private traceId?: string;
  private spanId?: string;

  give(traceId: string, spanId: string): void {
    this.traceId = traceId;
    this.spanId = spanId;
  }

  generateTraceId(): string {
    const id = this.traceId ?? this.random.generateTraceId();
    this.traceId = undefined;
    return id;
  }

  generateSpanId(): string {
    const id = this.spanId ?? this.random.generateSpanId();
    this.spanId = undefined;
    return id;
  }
}

export interface OtlpExport {
  /** Sends what is buffered, then stops. */
  stop(): Promise<void>;
}

/** Exports every sampled trace the tracer finishes over OTLP/HTTP, batched, as service apprun-gateway. */
export function startOtlpExport(tracer: Tracer): OtlpExport {
  const ids = new GivenIds();
  const provider = new BasicTracerProvider({
    resource: new Resource({ 'service.name': SERVICE_NAME }),
    idGenerator: ids,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter(), { scheduledDelayMillis: 1000 })],
  });
  // Global, so the Temporal client's and worker's OpenTelemetry interceptors export through it too; with a context
  // manager, so their spans find the request they run in.
  provider.register({ contextManager: new AsyncLocalStorageContextManager().enable() });
  const out = provider.getTracer('apprun-gateway');
  const remoteParent = (traceId: string, spanId: string) =>
    otel.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
  // Inside a request, the active span is the request's own (its id is known before its span is exported).
  setContextRunner((t, fn) => (t.flags === '00' ? fn() : context.with(remoteParent(t.traceId, t.spanId), fn)));

  const exportTrace = (t: RequestTrace) => {
    if (t.flags === '00') return; // the caller did not sample this trace
    const parent = t.parentSpanId ? remoteParent(t.traceId, t.parentSpanId) : ROOT_CONTEXT;
    ids.give(t.traceId, t.spanId);
    const root = out.startSpan(
      `${t.method} ${t.path}`,
      {
        kind: SpanKind.SERVER,
        startTime: t.startedAt,
        attributes: {
          'http.request.method': t.method,
          'url.path': t.path,
          'http.response.status_code': t.status,
          ...(t.caller
            ? { 'apprun.tenant': t.caller.tenant, 'enduser.id': t.caller.user, 'enduser.role': t.caller.role }
            : {}),
          ...(t.error ? { 'error.type': t.error } : {}),
        },
      },
      parent,
    );
    if (t.status >= 500 || t.aborted) root.setStatus({ code: SpanStatusCode.ERROR, message: t.error ?? 'aborted' });
    let hop: Span = root;
    for (const span of t.spans) {
      const under = span.depth > 1 ? hop : root;
      const child = out.startSpan(
        span.name,
        { startTime: t.startedAt + span.startMs, attributes: span.attributes },
        otel.setSpan(context.active(), under),
      );
      child.end(t.startedAt + span.startMs + span.durationMs);
      if (span.depth === 1) hop = child;
    }
    root.end(t.startedAt + t.durationMs);
  };
  tracer.onFinish(exportTrace);

  return {
    async stop() {
      tracer.offFinish(exportTrace);
      setContextRunner((_t, fn) => fn());
      await provider.shutdown();
    },
  };
}
