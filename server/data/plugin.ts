import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { Bytes, ERROR_RESPONSES } from '../api/schemas/common.js';
import { traceOf } from '../tracing/tracer.js';
import { type DataBody, parseDataBody } from './body.js';
import type { DataAnswer, DataProxy } from './data-proxy.js';

export interface DataPluginOptions {
  proxy: DataProxy;
}

/** Sends a data answer through Fastify (the fast lane writes the same answer straight to the socket). */
function replyWith(reply: FastifyReply, answer: DataAnswer): FastifyReply {
  if (answer.statusText !== undefined) reply.raw.statusMessage = answer.statusText;
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}

/**
 * /data/*: the tenant-scoped data API, forwarded to PostgREST after authentication and the tenant guard. Reads whose
 * token, policy and slot are settled at once take the fast lane (fast-lane.ts) and never reach this route.
 */
const dataPlugin: FastifyPluginAsync<DataPluginOptions> = async (app, { proxy }) => {
  // Bodies stay bytes: forwarded exactly as sent (no re-serialising: big numbers and key order survive), parsed only
  // for the tenant guard. An empty body is no body, whatever its content type says.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, raw: Buffer, done) => {
    try {
      done(null, parseDataBody(String(request.headers['content-type'] ?? ''), raw));
    } catch (err) {
      done(err as Error);
    }
  });

  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    const tenantId = request.claims!.tenant_id;
    const target = proxy.target(request.method, request.url, tenantId, request.headers);
    if (!target) throw proxy.unknownResource(request.url);
    const body = request.body as DataBody | undefined;
    if (body?.rows !== undefined) proxy.guard.checkWrite(target.name, body.rows, tenantId, target.schema);
    if (body?.columns) proxy.guard.checkColumns(target.name, body.columns, target.schema);
    const trace = traceOf(request.raw);
    return replyWith(reply, await proxy.answer(request.method, target.path, request.headers, body?.bytes, trace));
  };

  app.route({
    method: ['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE'],
    url: '/*',
    // HEAD is PostgREST's own (counts without rows), not Fastify's GET-without-body.
    exposeHeadRoute: false,
    config: { upstream: 'postgrest' },
    // PostgREST's answer goes through as its bytes, errors included (already in the gateway's shape).
    schema: { params: Type.Object({ '*': Type.String() }), response: { '2xx': Bytes, ...ERROR_RESPONSES } },
    handler: forward,
  });
};

export default dataPlugin;
