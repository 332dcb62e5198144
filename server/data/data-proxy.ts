import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { type ApiError, DomainError, JSON_CONTENT_TYPE } from '../errors.js';
import type { RequestTrace } from '../tracing/request-trace.js';
import { POSTGREST_TIMING_UNIT_MS, parseServerTiming, recordUpstream } from '../tracing/upstream-timing.js';
import { forwardedRequestHeaders } from './headers.js';
import { profileOf, type TenantGuard } from './tenant-guard.js';
import { PostgrestUpstream } from './upstream.js';

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

/** POST and PUT name their rows in the body (PUT's filters must be exactly the primary key): no tenant pin there. */
const UNPINNED = new Set(['POST', 'PUT']);

/**
 * PostgREST's error body with the gateway's `error` code added: {error, message, code, details, hint}, every field
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
  const { error: _ignored, message: said, ...rest } = upstream;
  const message = typeof said === 'string' ? said : `PostgREST answered ${status}`;
  if (status >= 500) {
    // A database error PostgREST did not map: the gateway itself is fine, so this is a bad gateway, not a crash.
    return { status: status === 503 ? 503 : 502, body: { error: 'upstream_error', message, ...rest } };
  }
  const error =
    upstream.code === '42P01' || upstream.code === 'PGRST205'
      ? 'unknown_table'
      : (STATUS_CODES[status] ?? 'bad_request');
  return { status, body: { error, message, ...rest } };
}

/** The table name PostgREST will read from the path (it decodes percent-escapes); undefined when malformed. */
function decodedName(resource: string): string | undefined {
  try {
    return decodeURIComponent(resource);
  } catch {
    return undefined;
  }
}

/** What one request asks PostgREST for: the table (or rpc/<function>) it names, and the path to send upstream. */
export interface DataTarget {
  name: string;
  /** The schema its profile header addresses (api unless it says otherwise). */
  schema: string;
  path: string;
}

/** PostgREST's answer as the gateway gives it: errors in the gateway's shape, everything else as PostgREST sent it. */
export interface DataAnswer {
  status: number;
  /** PostgREST's reason phrase (Warp's wording), where the status is PostgREST's own; clients read it too. */
  statusText?: string;
  headers: Record<string, string>;
  /** None for HEAD and for empty answers (204, return=headers-only), which go out without a content type. */
  body?: Buffer | Readable;
}

/**
 * The data API's one way to PostgREST, for both of its lanes (the Fastify route and the fast lane): which table a URL
 * names, the tenant pin on its query, the call itself, and the answer in the gateway's shape.
 */
export class DataProxy {
  private readonly upstream: PostgrestUpstream;
  private readonly prefixLength: number;

  constructor(
    postgrestUrl: string,
    readonly guard: TenantGuard,
    /** Where the data API is mounted on the gateway ('/data'). */
    readonly mountPath: string,
    private readonly log: FastifyBaseLogger,
  ) {
    this.upstream = new PostgrestUpstream(postgrestUrl, mountPath);
    this.prefixLength = mountPath.length + 1;
  }

  /** The path segment after the mount path (percent-encoding kept), and where the query starts (-1: none). */
  private resourceOf(url: string): { resource: string; queryAt: number } {
    const queryAt = url.indexOf('?');
    return { resource: url.slice(this.prefixLength, queryAt === -1 ? undefined : queryAt), queryAt };
  }

  /** The table a request URL (under the mount path) names and its upstream path; undefined when it names none. */
  target(method: string, url: string, tenantId: string, headers: IncomingHttpHeaders): DataTarget | undefined {
    const { resource, queryAt } = this.resourceOf(url);
    const name = RESOURCE.test(resource) ? decodedName(resource) : undefined;
    if (name === undefined) return undefined;
    const query = queryAt === -1 ? '' : url.slice(queryAt);
    const schema = profileOf(method, headers);
    return {
      name,
      schema,
      path: `/${resource}${UNPINNED.has(method) ? query : this.guard.scopeQuery(name, query, tenantId, schema)}`,
    };
  }

  /** The refusal of a URL that names no table. */
  unknownResource(url: string): DomainError {
    const { resource } = this.resourceOf(url);
    return new DomainError(
      'not_found',
      'unknown_table',
      `"${resource.slice(0, 200)}" is not a table or rpc/<function> name`,
    );
  }

  /** PostgREST's answer to one request; a PostgREST that does not answer is an `upstream_unavailable` error. */
  async answer(
    method: string,
    path: string,
    incoming: IncomingHttpHeaders,
    body?: Buffer,
    trace?: RequestTrace,
  ): Promise<DataAnswer> {
    let res: Awaited<ReturnType<PostgrestUpstream['forward']>>;
    const start = trace?.now() ?? 0;
    try {
      res = await this.upstream.forward(method, path, forwardedRequestHeaders(incoming), body);
      if (trace)
        recordUpstream(
          trace,
          'postgrest',
          start,
          { status: res.status },
          parseServerTiming(res.timing, POSTGREST_TIMING_UNIT_MS),
        );
    } catch (err) {
      trace?.end('postgrest', start, { failed: true });
      this.log.warn({ err }, 'PostgREST request failed');
      throw new DomainError('unavailable', 'upstream_unavailable', 'PostgREST is not answering; check `apprun status`');
    }
    if (res.status >= 400) {
      if (method === 'HEAD') return { status: res.status, statusText: res.statusText, headers: res.headers };
      const text = Buffer.isBuffer(res.body) ? res.body.toString() : '';
      const { status, body: error } = normalizeUpstreamError(res.status, text);
      return {
        status,
        statusText: status === res.status ? res.statusText : undefined,
        headers: { 'content-type': JSON_CONTENT_TYPE },
        body: Buffer.from(JSON.stringify(error)),
      };
    }
    // An empty answer (204, return=headers-only) goes out as PostgREST sent it: without a content type.
    const empty = Buffer.isBuffer(res.body) && res.body.byteLength === 0;
    return { status: res.status, statusText: res.statusText, headers: res.headers, body: empty ? undefined : res.body };
  }

  close(): Promise<void> {
    return this.upstream.close();
  }
}
