import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { type ApiError, HttpError } from '../errors.js';
import type { TenantGuard } from './tenant-guard.js';
import { PostgrestUpstream } from './upstream.js';

export interface DataPluginOptions {
  postgrestUrl: string;
  guard: TenantGuard;
}

/** Table names PostgREST can serve, and rpc/<function>; anything else never leaves the gateway. */
const RESOURCE = /^(?:rpc\/)?[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/** Request headers PostgREST understands; everything else (cookies, hop-by-hop) stays at the gateway. */
const FORWARDED = ['authorization', 'accept', 'prefer', 'range', 'range-unit'] as const;

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'body_too_large',
  416: 'range_not_satisfiable',
};

/** PostgREST's {code, message, details, hint} in the gateway's {error, message} shape, keeping the details. */
export function normalizeUpstreamError(status: number, text: string): { status: number; body: ApiError } {
  let upstream: { code?: string; message?: string; details?: unknown; hint?: unknown } = {};
  try {
    upstream = JSON.parse(text);
  } catch {
    upstream = { message: text.slice(0, 500) };
  }
  if (status >= 500) {
    // A database error PostgREST did not map: the gateway itself is fine, so this is a bad gateway, not a crash.
    return { status: status === 503 ? 503 : 502, body: { error: 'upstream_error', message: upstream.message ?? 'PostgREST failed', code: upstream.code } };
  }
  const error = upstream.code === '42P01' || upstream.code === 'PGRST205' ? 'unknown_table' : (STATUS_CODES[status] ?? 'bad_request');
  return {
    status,
    body: { error, message: upstream.message ?? `PostgREST answered ${status}`, code: upstream.code, details: upstream.details ?? undefined, hint: upstream.hint ?? undefined },
  };
}

/** /data/*: the tenant-scoped data API, forwarded to PostgREST after authentication and the tenant guard. */
const dataPlugin: FastifyPluginAsync<DataPluginOptions> = async (app, opts) => {
  const upstream = new PostgrestUpstream(opts.postgrestUrl, app.prefix);
  app.addHook('onClose', () => upstream.close());

  const proxy = async (request: FastifyRequest<{ Params: { '*': string } }>, reply: FastifyReply) => {
    const resource = request.params['*'];
    if (!RESOURCE.test(resource)) throw new HttpError(404, 'unknown_table', `"${resource}" is not a table or rpc/<function> name`);
    const tenantId = request.claims!.tenant_id;
    const queryAt = request.url.indexOf('?');
    const query = queryAt === -1 ? '' : request.url.slice(queryAt);
    const headers: Record<string, string> = {};
    for (const name of FORWARDED) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    let body: string | undefined;
    if (request.body !== undefined) {
      opts.guard.checkWrite(resource, request.body, tenantId);
      body = JSON.stringify(request.body);
      headers['content-type'] = 'application/json';
    }
    const path = `/${resource}${request.method === 'POST' ? query : opts.guard.scopeQuery(resource, query, tenantId)}`;
    let res;
    try {
      res = await upstream.forward(request.method, path, headers, body);
    } catch (err) {
      request.log.warn({ err }, 'PostgREST request failed');
      throw new HttpError(503, 'upstream_unavailable', 'PostgREST is not answering; check `apprun status`');
    }
    if (res.status >= 400) {
      const text = Buffer.isBuffer(res.body) ? res.body.toString() : '';
      const { status, body: error } = normalizeUpstreamError(res.status, text);
      return reply.code(status).send(error);
    }
    return reply.code(res.status).headers(res.headers).send(res.body);
  };

  const schema = { params: { type: 'object', properties: { '*': { type: 'string' } } } };
  app.route({ method: ['GET', 'POST', 'PATCH', 'DELETE'], url: '/*', schema, handler: proxy });
};

export default dataPlugin;
