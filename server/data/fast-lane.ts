import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import type { Access } from '../auth/access.js';
import { DomainError, domainErrorBody, domainErrorHeaders, JSON_CONTENT_TYPE, STATUS_OF } from '../errors.js';
import type { HostPolicy } from '../http/host-policy.js';
import type { UpstreamGates } from '../http/upstream-gates.js';
import type { RequestTrace } from '../tracing/request-trace.js';
import { errorCodeOf, traceHeaders, traceOf } from '../tracing/tracer.js';
import type { DataAnswer, DataProxy } from './data-proxy.js';

export interface FastLaneDeps {
  policy: HostPolicy;
  /** Its verifier's token cache and the tenants' policies (read per request: they are loaded after the lane exists). */
  access: Pick<Access, 'verifier' | 'authorizer'>;
  gates: UpstreamGates;
  proxy: DataProxy;
  log: FastifyBaseLogger;
}

/** The token span's attributes in the lane: always a cached token (shared, never changed). */
const CACHED_TOKEN = Object.freeze({ cached: true });

const GATE_ATTRIBUTES = Object.freeze({ upstream: 'postgrest' });

/** Methods the lane forwards: reads, which carry no body for the tenant guard to look at. */
const READS = new Set(['GET', 'HEAD']);

const hasBody = (req: IncomingMessage) =>
  req.headers['transfer-encoding'] !== undefined ||
  (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

/**
 * Writes an answer as Fastify's reply.send would: a content length for bytes (0 for none), a stream piped. The
 * answer's headers are its own (made for this request), so the length goes into them rather than into a copy.
 */
function writeAnswer(res: ServerResponse, method: string, answer: DataAnswer, trace?: RequestTrace): void {
  const { headers, body } = answer;
  if (trace) {
    if (answer.status >= 400) trace.error = errorCodeOf(body);
    traceHeaders(trace, headers);
  }
  if (Buffer.isBuffer(body)) headers['content-length'] = String(body.byteLength);
  else if (!body && method !== 'HEAD' && answer.status !== 204 && answer.status !== 304)
    headers['content-length'] = '0';
  if (answer.statusText !== undefined) res.writeHead(answer.status, answer.statusText, headers);
  else res.writeHead(answer.status, headers);
  if (!body || Buffer.isBuffer(body)) {
    res.end(body);
    return;
  }
  // A client that goes away mid-answer ends PostgREST's side too (pipeline destroys both), so no upstream connection
  // waits on a reader that is gone.
  pipeline(body, res, () => undefined);
}

/**
 * The data API's hot path, answered before Fastify parses the request: on 2 shared cores Fastify's routing, hooks and
 * reply cost the gateway ~100 µs of CPU a request more than a bare proxy, and on Node 20 each of its promises also
 * pays the async-context hooks Temporal's client turns on. The lane takes only what it can vouch for at once, exactly
 * as the full path would: a loopback Host, no Origin, a token verified before (cached, unexpired, not revoked), a
 * method RBAC allows. Such a request is then either refused, when its tenant's PostgREST share is full (under a flood
 * most requests are refusals), or, when it is a read, admitted by the same fair gate as the /data route (at once, or
 * after its wait) and forwarded through the same DataProxy. Everything else (writes, a first token) goes on to
 * Fastify.
 */
export function dataFastLane({ policy, access, gates, proxy, log }: FastLaneDeps) {
  // The lane's errors are a handful of fixed sentences (a flood repeats them thousands of times a second): each body
  // is encoded once.
  const bodies = new Map<string, Buffer>();
  const writeError = (res: ServerResponse, err: DomainError, trace?: RequestTrace) => {
    if (trace) trace.error = err.code;
    const key = `${err.code}\u0000${err.message}`;
    let payload = bodies.get(key);
    if (!payload) {
      payload = Buffer.from(JSON.stringify(domainErrorBody(err)));
      bodies.set(key, payload);
    }
    res.writeHead(STATUS_OF[err.kind], {
      'content-type': JSON_CONTENT_TYPE,
      'content-length': payload.length,
      ...domainErrorHeaders(err),
      ...(trace ? traceHeaders(trace) : {}),
    });
    res.end(payload);
  };

  const fail = (res: ServerResponse, url: string, err: unknown, trace?: RequestTrace) => {
    if (err instanceof DomainError) return writeError(res, err, trace);
    log.error({ err, url }, 'a data request failed');
    if (res.headersSent) return res.destroy();
    writeError(
      res,
      new DomainError('bad_upstream', 'internal_error', 'the gateway failed; see logs/gateway.log'),
      trace,
    );
  };

  const mount = `${proxy.mountPath}/`;
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? '';
    if (!url.startsWith(mount)) return false;
    // Spans are recorded only once the lane takes the request: one it hands on is traced by the full path instead.
    const trace = traceOf(req);
    const t0 = trace?.now() ?? 0;
    if (req.headers.origin !== undefined || !policy.acceptsHost(req.headers.host)) return false;
    const t1 = trace?.now() ?? 0;
    const claims = access.verifier.cachedClaims(req.headers.authorization);
    if (!claims) return false;
    const t2 = trace?.now() ?? 0;
    const method = req.method ?? 'GET';
    const query = url.indexOf('?');
    const decision = access.authorizer.check(
      claims,
      query === -1 ? url : url.slice(0, query),
      method === 'HEAD' ? 'GET' : method,
    );
    if (!decision.allowed) return false;
    const refusal = gates.refuseNow('postgrest', claims.tenant_id);
    const t3 = trace?.now() ?? 0;
    if (!refusal && (!READS.has(method) || hasBody(req))) return false;
    const target = refusal ? undefined : proxy.target(method, url, claims.tenant_id, req.headers);
    if (!refusal && !target) return false;
    if (trace) {
      trace.caller = { tenant: claims.tenant_id, user: claims.email, role: claims.role };
      trace.record('host', t0, t1 - t0);
      trace.record('token', t1, t2 - t1, CACHED_TOKEN);
      trace.record('rbac', t2, t3 - t2, { rule: decision.rule });
    }
    if (refusal) {
      writeError(res, refusal, trace);
      // The request's own body, if any, is not read: drop it rather than parse it.
      if (hasBody(req)) req.resume();
      return true;
    }
    const serve = (release: (() => void) | undefined) => {
      if (!release) return; // the client went away while waiting
      trace?.end('gate', t3, GATE_ATTRIBUTES);
      // The slot is held until the answer has gone out (a streamed one too) or the client went away.
      res.once('close', release);
      return proxy
        .answer(method, target!.path, req.headers, undefined, trace)
        .then((answer) => writeAnswer(res, method, answer, trace));
    };
    // A free slot is taken at once (most requests): no promise for the admission itself.
    const now = gates.tryAcquire('postgrest', claims.tenant_id);
    (now ? serve(now) : gates.admit('postgrest', claims.tenant_id, req.socket).then(serve))?.catch((err: unknown) =>
      fail(res, url, err, trace),
    );
    return true;
  };
}
