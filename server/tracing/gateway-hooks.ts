import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { errorCodeOf, traceHeaders, traceOf } from './tracer.js';

/** The data API times its PostgREST call itself (with PostgREST's own phases); other upstreams are timed here. */
const TIMED_BY_ROUTE = new Set(['kratos', 'minio', 'temporal']);

/**
 * The traced requests Fastify answers: a route that calls Kratos, MinIO or Temporal gets a span for that call (its
 * handler's time, from the preHandler to the answer), the answer carries Server-Timing (the hops so far), and an
 * error answer's code is kept on the trace. The fast lane does the same for the requests it answers itself.
 */
const tracingHooks: FastifyPluginAsync = async (app) => {
  app.addHook('preHandler', async (request) => {
    const trace = traceOf(request.raw);
    if (trace && TIMED_BY_ROUTE.has(request.routeOptions.config.upstream ?? '')) trace.handlerStartMs = trace.now();
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const trace = traceOf(request.raw);
    if (!trace) return payload;
    if (trace.handlerStartMs !== undefined) {
      trace.end(request.routeOptions.config.upstream!, trace.handlerStartMs, { route: request.routeOptions.url ?? '' });
      trace.handlerStartMs = undefined;
    }
    if (reply.statusCode >= 400) trace.error = errorCodeOf(payload);
    reply.headers(traceHeaders(trace));
    return payload;
  });
};

export default fp(tracingHooks, { name: 'apprun-tracing' });
