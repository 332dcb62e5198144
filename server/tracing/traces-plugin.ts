import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { NoQuery, responses } from '../api/schemas/common.js';
import {
  TraceDetailSchema,
  TraceParamsSchema,
  type TraceSummarySchema,
  TracesQuerySchema,
  TracesViewSchema,
  TracingSettingsSchema,
} from '../api/schemas/traces.js';
import { DomainError } from '../errors.js';
import type { RequestTrace } from './request-trace.js';
import { SLOW_REQUEST_MS } from './trace-ring.js';
import type { Tracer } from './tracer.js';

export interface TracesPluginOptions {
  tracer: Tracer;
  /** Tenant names by id (the list shows names), and a tenant named by id or name (the filter takes either). */
  tenantNames(): Promise<Map<string, string>>;
  tenantIdOf(tenant: string): Promise<string>;
}

type TraceSummary = Static<typeof TraceSummarySchema>;

function summaryOf(trace: RequestTrace, names: Map<string, string>): TraceSummary {
  const tenant = trace.caller?.tenant ?? null;
  return {
    traceId: trace.traceId,
    startedAt: new Date(trace.startedAt).toISOString(),
    method: trace.method,
    url: trace.url,
    path: trace.path,
    status: trace.status,
    durationMs: trace.durationMs,
    tenant,
    tenantName: tenant === null ? null : (names.get(tenant) ?? null),
    user: trace.caller?.user ?? null,
    role: trace.caller?.role ?? null,
    error: trace.error ?? null,
    aborted: trace.aborted,
  };
}

/** /api/traces: the last requests' traces, filtered, one trace's spans, and tracing turned off or on (admin scope). */
const tracesPlugin: FastifyPluginAsyncTypebox<TracesPluginOptions> = async (app, opts) => {
  const { tracer } = opts;
  app.get(
    '/api/traces',
    { schema: { querystring: TracesQuerySchema, response: responses({ 200: TracesViewSchema }) } },
    async (request) => {
      const { tenant, status, path, minMs, limit = 100 } = request.query;
      const tenantId = tenant === undefined ? undefined : await opts.tenantIdOf(tenant);
      const names = await opts.tenantNames();
      const traces = tracer.ring.query({ tenant: tenantId, status, path, minMs, limit });
      return {
        traces: traces.map((t) => summaryOf(t, names)),
        enabled: tracer.enabled,
        capacity: tracer.ring.capacity,
        notableCapacity: tracer.ring.notableCapacity,
        slowMs: SLOW_REQUEST_MS,
      };
    },
  );

  app.get(
    '/api/traces/settings',
    { schema: { querystring: NoQuery, response: responses({ 200: TracingSettingsSchema }) } },
    async () => ({ enabled: tracer.enabled }),
  );

  app.put(
    '/api/traces/settings',
    {
      schema: {
        querystring: NoQuery,
        body: TracingSettingsSchema,
        response: responses({ 200: TracingSettingsSchema }),
      },
    },
    async (request) => {
      tracer.enabled = request.body.enabled;
      return { enabled: tracer.enabled };
    },
  );

  app.get(
    '/api/traces/:traceId',
    {
      schema: { querystring: NoQuery, params: TraceParamsSchema, response: responses({ 200: TraceDetailSchema }) },
    },
    async (request) => {
      const trace = tracer.ring.get(request.params.traceId);
      if (!trace)
        throw new DomainError(
          'not_found',
          'unknown_trace',
          `no trace ${request.params.traceId} is kept (the last ${tracer.ring.capacity} requests are, and the last ` +
            `${tracer.ring.notableCapacity} failed or slow ones)`,
        );
      return {
        ...summaryOf(trace, await opts.tenantNames()),
        spanId: trace.spanId,
        parentSpanId: trace.parentSpanId ?? null,
        spans: trace.spans,
      };
    },
  );
};

export default tracesPlugin;
