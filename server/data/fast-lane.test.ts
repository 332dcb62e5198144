import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AccessClaims, TokenVerifier } from '../auth/tokens.js';
import { DomainError } from '../errors.js';
import { HostPolicy } from '../http/host-policy.js';
import type { UpstreamGates } from '../http/upstream-gates.js';
import type { Authorizer } from '../rbac/authorizer.js';
import { DataProxy } from './data-proxy.js';
import { dataFastLane } from './fast-lane.js';
import { TenantGuard } from './tenant-guard.js';

// The lane's decisions, with PostgREST stood in for by a local server that echoes what it was sent, and the token
// cache, the policy and the gates faked at their boundary: which requests it answers, which it leaves to Fastify.

const TENANT = '00000000-0000-4000-8000-000000000001';
const CLAIMS: AccessClaims = {
  sub: 'u1',
  email: 'alice@test.com',
  tenant_id: TENANT,
  role: 'admin',
  db_role: 'apprun_admin',
  sid: 's1',
};
const TOKEN = 'Bearer cached-token';

/** The gate's answer to the next admission: a release (at once or after a wait), undefined (client gone), or a refusal. */
let admission: () => Promise<(() => void) | undefined>;
let refusal: DomainError | undefined;
let released = 0;
let upstreamSaw: { method?: string; url?: string; authorization?: string; cookie?: string } = {};

const upstream = http.createServer((req, res) => {
  upstreamSaw = {
    method: req.method,
    url: req.url,
    authorization: req.headers.authorization,
    cookie: req.headers.cookie,
  };
  if (req.url?.startsWith('/dropped')) {
    req.socket.destroy();
    return;
  }
  if (req.url?.startsWith('/big')) {
    res.writeHead(200, { 'content-type': 'text/csv' });
    res.end('x'.repeat(200 * 1024));
    return;
  }
  if (req.url?.startsWith('/missing')) {
    res.writeHead(404, 'Not Found', { 'content-type': 'application/json' });
    res.end('{"code":"42P01","details":null,"hint":null,"message":"relation \\"api.missing\\" does not exist"}');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-range': '0-0/*', server: 'postgrest' });
  res.end(req.method === 'HEAD' ? undefined : '[{"id":1}]');
});
let gateway: http.Server;
let proxy: DataProxy;
let port = 0;

const quietLog = { warn: () => undefined, error: () => undefined } as unknown as FastifyBaseLogger;

beforeAll(async () => {
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  proxy = new DataProxy(
    `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
    new TenantGuard(new Map([['api.products', 'tenant_id']])),
    '/data',
    quietLog,
  );
  // What the lane leaves alone, Fastify would answer: here a 299 says the request fell through.
  let lane: ReturnType<typeof dataFastLane> | undefined;
  gateway = http.createServer((req, res) => {
    if (lane?.(req, res)) return;
    req.resume();
    res.writeHead(299).end('fell through');
  });
  await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
  port = (gateway.address() as AddressInfo).port;
  lane = dataFastLane({
    policy: new HostPolicy(port),
    access: {
      verifier: { cachedClaims: (h?: string) => (h === TOKEN ? CLAIMS : undefined) } as unknown as TokenVerifier,
      authorizer: {
        check: (_c: AccessClaims, path: string) => ({ allowed: !path.startsWith('/data/secrets') }),
      } as unknown as Authorizer,
    },
    gates: {
      refuseNow: () => refusal,
      // No slot at once: every request goes through admit(), the waiting path (the integration suites take slots
      // at once).
      tryAcquire: () => undefined,
      admit: () => admission(),
    } as unknown as UpstreamGates,
    proxy,
    log: quietLog,
  });
});

afterAll(async () => {
  await proxy.close();
  await new Promise((r) => gateway.close(r));
  await new Promise((r) => upstream.close(r));
});

const freeSlot = async () => () => {
  released++;
};

beforeEach(() => {
  admission = freeSlot;
  refusal = undefined;
  released = 0;
  upstreamSaw = {};
});

function send(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { host: `127.0.0.1:${port}`, authorization: TOKEN, ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('the data fast lane', () => {
  it('forwards a read with a verified token, pinned to its tenant, and frees its slot once answered', async () => {
    const res = await send('GET', '/data/products?select=id', { cookie: 'session=x' });
    expect(res.status).toBe(200);
    expect(res.body).toBe('[{"id":1}]');
    expect(res.headers['content-range']).toBe('0-0/*');
    expect(res.headers['content-length']).toBe('10');
    // PostgREST's own Server header stays behind, as do the client's cookies.
    expect(res.headers.server).toBeUndefined();
    expect(upstreamSaw).toEqual({
      method: 'GET',
      url: `/products?select=id&tenant_id=eq.${TENANT}`,
      authorization: TOKEN,
      cookie: undefined,
    });
    expect(released).toBe(1);
  });

  it('streams an answer too large to collect, whole', async () => {
    const res = await send('GET', '/data/big');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv');
    expect(res.body.length).toBe(200 * 1024);
    expect(released).toBe(1);
  });

  it('forwards HEAD without a body, and PostgREST errors in the gateway’s shape', async () => {
    const head = await send('HEAD', '/data/products');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    const missing = await send('GET', '/data/missing');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(missing.body)).toEqual({
      error: 'unknown_table',
      message: 'relation "api.missing" does not exist',
      code: '42P01',
      details: null,
      hint: null,
    });
  });

  it.each([
    ['an unverified token', 'GET', '/data/products', { authorization: 'Bearer other' }],
    ['a foreign Host', 'GET', '/data/products', { host: 'evil.example' }],
    ['an Origin', 'GET', '/data/products', { origin: 'http://127.0.0.1:8080' }],
    ['a method RBAC refuses', 'GET', '/data/secrets', {}],
    ['a write', 'POST', '/data/products', { 'content-type': 'application/json' }],
    ['a read with a body', 'GET', '/data/products', { 'content-length': '2' }],
    ['a URL naming no table', 'GET', '/data/a/b', {}],
    ['a malformed percent-encoding', 'GET', '/data/pro%zz', {}],
    ['another route', 'GET', '/functions', {}],
  ] as [string, string, string, Record<string, string>][])(
    'leaves %s to Fastify',
    async (_why, method, path, headers) => {
      const res = await send(method, path, headers, headers['content-length'] ? '{}' : undefined);
      expect(res.status).toBe(299);
      expect(upstreamSaw).toEqual({});
      expect(released).toBe(0);
    },
  );

  it('waits in the gate when no slot is free now, then forwards; a wait that ends refused is the gate’s 503', async () => {
    admission = () => new Promise((resolve) => setTimeout(() => resolve(freeSlot()), 50));
    const waited = await send('GET', '/data/products');
    expect(waited.status).toBe(200);
    expect(upstreamSaw.url).toBe(`/products?tenant_id=eq.${TENANT}`);
    expect(released).toBe(1);
    upstreamSaw = {};
    admission = () =>
      Promise.reject(new DomainError('overloaded', 'overloaded', 'PostgREST had no free slot within 250 ms'));
    const refused = await send('GET', '/data/products');
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(JSON.parse(refused.body)).toMatchObject({
      error: 'overloaded',
      message: 'PostgREST had no free slot within 250 ms',
    });
    expect(upstreamSaw).toEqual({});
  });

  it('refuses any method at once when the tenant’s share is full, with Retry-After, and never calls PostgREST', async () => {
    refusal = new DomainError('rate_limited', 'rate_limited', 'your tenant has its share waiting already', {
      upstream: 'PostgREST',
    });
    for (const method of ['GET', 'POST']) {
      const res = await send(method, '/data/products', {}, method === 'POST' ? '{"name":"x"}' : undefined);
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toBe('1');
      expect(JSON.parse(res.body)).toEqual({
        error: 'rate_limited',
        message: 'your tenant has its share waiting already',
        upstream: 'PostgREST',
      });
    }
    expect(upstreamSaw).toEqual({});
  });

  it('answers 503 upstream_unavailable, as JSON, when PostgREST does not answer, and frees the slot', async () => {
    const res = await send('GET', '/data/dropped');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toEqual({
      error: 'upstream_unavailable',
      message: 'PostgREST is not answering; check `apprun status`',
    });
    expect(released).toBe(1);
  });
});
