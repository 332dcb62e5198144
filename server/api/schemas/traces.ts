import { Type } from 'typebox';
import { Timestamp } from './common.js';

export const SpanSchema = Type.Object({
  name: Type.String(),
  /** Milliseconds after the request arrived. */
  startMs: Type.Number(),
  durationMs: Type.Number(),
  /** 1: a hop of the gateway's; 2: a phase inside the hop above it. */
  depth: Type.Integer({ minimum: 1 }),
  attributes: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]))),
});

export const TraceSummarySchema = Type.Object({
  traceId: Type.String(),
  startedAt: Timestamp,
  method: Type.String(),
  /** The URL as requested, query included. */
  url: Type.String(),
  path: Type.String(),
  status: Type.Integer(),
  durationMs: Type.Number(),
  /** Unknown until a token was verified (a 401 has none). */
  tenant: Type.Union([Type.String(), Type.Null()]),
  tenantName: Type.Union([Type.String(), Type.Null()]),
  user: Type.Union([Type.String(), Type.Null()]),
  role: Type.Union([Type.String(), Type.Null()]),
  /** The gateway's error code, when the answer was an error. */
  error: Type.Union([Type.String(), Type.Null()]),
  /** The client went away before the answer was complete. */
  aborted: Type.Boolean(),
});

export const TraceDetailSchema = Type.Object({
  ...TraceSummarySchema.properties,
  spanId: Type.String(),
  /** The caller's span, when the request continued its trace (an incoming traceparent). */
  parentSpanId: Type.Union([Type.String(), Type.Null()]),
  spans: Type.Array(SpanSchema),
});

export const TracesQuerySchema = Type.Object(
  {
    tenant: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'a tenant id or name' })),
    status: Type.Optional(
      Type.String({
        pattern: '^([1-5][0-9][0-9]|[1-5]xx|error)$',
        description: 'an exact status, a class (4xx) or "error" (400 and above, or aborted)',
      }),
    ),
    path: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'part of the path' })),
    minMs: Type.Optional(Type.Number({ minimum: 0, description: 'only requests that took at least this long' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
  { additionalProperties: false },
);

export const TracesViewSchema = Type.Object({
  traces: Type.Array(TraceSummarySchema),
  /** Tracing is on (PUT /api/traces/settings turns it off and on, until the next start). */
  enabled: Type.Boolean(),
  /** How many of every request, and of the failed and slow ones, are kept. */
  capacity: Type.Integer(),
  notableCapacity: Type.Integer(),
  /** A request this slow is kept with the failed ones. */
  slowMs: Type.Number(),
});

export const TraceParamsSchema = Type.Object(
  { traceId: Type.String({ pattern: '^[0-9a-f]{32}$', description: '32 lowercase hex digits' }) },
  { additionalProperties: false },
);

export const TracingSettingsSchema = Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false });
