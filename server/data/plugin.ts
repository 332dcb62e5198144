import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { Bytes, ERROR_RESPONSES } from '../api/schemas/common.js';
import { type ApiError, DomainError } from '../errors.js';
import { type DataBody, parseDataBody } from './body.js';
import { forwardedRequestHeaders } from './headers.js';
import type { TenantGuard } from './tenant-guard.js';
import { PostgrestUpstream, type UpstreamResponse } from './upstream.js';

export interface DataPluginOptions {
  postgrestUrl: string;
  guard: TenantGuard;
}

/**
 * A table (or view) name, or rpc/<function>, exactly as it appears in the URL (percent-encoding kept, so PostgREST
 * decodes it as it would directly); no further segment, so nothing but the data API is reachable.
 */
const RESOURCE = /^(?:rpc\/)?[^/?#]{1,200}$/;

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'body_too_large',
  415: 'unsupported_media_type',
  416: 'range_not_satisfiable',
};

/**
 * PostgREST's error body with the gateway's `error` code added: {error, code, message, details, hint}, every field
 * PostgREST sent kept as it sent it (null included), so a PostgREST client reads the same error either way.
 */
export function normalizeUpstreamError(status: number, text: string): { status: number; body: ApiError } {
  let upstream: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) upstream = parsed as Record<string, unknown>;
  } catch {
    upstream = { message: text.slice(0, 500) };
  }
  const message = typeof upstream.message === 'string' ? upstream.message : `PostgREST answered ${status}`;
  if (status >= 500) {
    // A database error PostgREST did not map: the gateway itself is fine, so this is a bad gateway, not a crash.
    return { status: status === 503 ? 503 : 502, body: { ...upstream, error: 'upstream_error', message } };
  }
  const error =
    upstream.code === '42P01' || upstream.code === 'PGRST205'
      ? 'unknown_table'
      : (STATUS_CODES[status] ?? 'bad_request');
  return { status, body: { ...upstream, error, message } };
}

/** The table name PostgREST will read from the path (it decodes percent-escapes); undefined when malformed. */
function decodedName(resource: string): string | undefined {
  try {
    return decodeURIComponent(resource);
  } catch {
    return undefined;
  }
}

/** POST and PUT name their rows in the body (PUT's filters must be exactly the primary key): no tenant pin there. */
const UNPINNED = new Set(['POST', 'PUT']);

/** /data/*: the tenant-scoped data API, forwarded to PostgREST after authentication and the tenant guard. */
const dataPlugin: FastifyPluginAsync<DataPluginOptions> = async (app, opts) => {
  const upstream = new PostgrestUpstream(opts.postgrestUrl, app.prefix);
  app.addHook('onClose', () => upstream.close());

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

  const prefixLength = app.prefix.length + 1;
  const proxy = async (request: FastifyRequest, reply: FastifyReply) => {
    const queryAt = request.url.indexOf('?');
    const resource = queryAt === -1 ? request.url.slice(prefixLength) : request.url.slice(prefixLength, queryAt);
    const name = RESOURCE.test(resource) ? decodedName(resource) : undefined;
    if (name === undefined)
      throw new DomainError(
        'not_found',
        'unknown_table',
        `"${resource.slice(0, 200)}" is not a table or rpc/<function> name`,
      );
    const tenantId = request.claims!.tenant_id;
    const query = queryAt === -1 ? '' : request.url.slice(queryAt);
    const headers = forwardedRequestHeaders(request.headers);
    const body = request.body as DataBody | undefined;
    if (body?.rows !== undefined) opts.guard.checkWrite(name, body.rows, tenantId);
    if (body?.columns) opts.guard.checkColumns(name, body.columns);
    const path = `/${resource}${UNPINNED.has(request.method) ? query : opts.guard.scopeQuery(name, query, tenantId)}`;
    let res: UpstreamResponse;
    try {
      res = await upstream.forward(request.method, path, headers, body?.bytes);
    } catch (err) {
      request.log.warn({ err }, 'PostgREST request failed');
      throw new DomainError('unavailable', 'upstream_unavailable', 'PostgREST is not answering; check `apprun status`');
    }
    if (res.status >= 400) {
      const text = Buffer.isBuffer(res.body) ? res.body.toString() : '';
      if (request.method === 'HEAD') return reply.code(res.status).headers(res.headers).send();
      const { status, body: error } = normalizeUpstreamError(res.status, text);
      if (status === res.status) reply.raw.statusMessage = res.statusText;
      return reply.code(status).send(error);
    }
    reply.raw.statusMessage = res.statusText;
    // An empty answer (204, return=headers-only) goes out as PostgREST sent it: without a content type.
    const empty = Buffer.isBuffer(res.body) && res.body.byteLength === 0;
    return reply
      .code(res.status)
      .headers(res.headers)
      .send(empty ? undefined : res.body);
  };

  app.route({
    method: ['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE'],
    url: '/*',
    // HEAD is PostgREST's own (counts without rows), not Fastify's GET-without-body.
    exposeHeadRoute: false,
    config: { upstream: 'postgrest' },
    // PostgREST's answer goes through as its bytes: only errors take the gateway's shape.
    schema: { params: Type.Object({ '*': Type.String() }), response: { '2xx': Bytes, ...ERROR_RESPONSES } },
    handler: proxy,
  });
};

export default dataPlugin;
