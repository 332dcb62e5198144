import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { importJWK, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apprun } from './cli.js';
import {
  adminDb,
  call,
  deployFunction,
  expectCleanError,
  gateway,
  stack,
  T1,
  T2,
  tokenFor,
  wasmModule,
} from './http.js';

// Traces of real requests through the gateway (both lanes, every upstream) and the access explainer, on the shared
// real stack.

const admin = () => ({ 'x-apprun-admin-token': stack().adminToken });
const api = (method: string, p: string, body?: unknown) => call(method, gateway(p), { headers: admin(), body });
const traceIdOf = (res: { headers: Record<string, unknown> }) => String(res.headers.traceparent).split('-')[1]!;
const spanNames = (trace: { spans: { name: string }[] }) => trace.spans.map((s) => s.name);
const db = adminDb();
const uniqueName = `explain-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  // A row of tenant 2 that tenant 1's users must never see: the explainer counts it, never shows it.
  await db.query('insert into api.products (tenant_id, name, price) values ($1, $2, 1)', [T2, uniqueName]);
});

afterAll(async () => {
  await db.query('delete from api.products where name like $1', ['explain-%']);
  await db.end();
});

describe('one trace per request', () => {
  it('traces a fast-lane read from the host check to PostgREST, its own phases inside', async () => {
    const bob = await tokenFor('bob@test.com');
    await call('GET', gateway('/data/products?select=name'), { token: bob }); // the token is cached from here on
    const res = await call('GET', gateway('/data/products?select=name'), { token: bob });
    expect(res.status).toBe(200);
    expect(res.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    // The answer's Server-Timing carries the same figures as the trace, PostgREST's phases among them.
    expect(String(res.headers['server-timing'])).toMatch(
      /host;dur=[\d.]+, token;dur=[\d.]+, rbac;dur=[\d.]+, gate;dur=[\d.]+, postgrest;dur=[\d.]+, jwt;dur=[\d.]+, parse;dur=[\d.]+, plan;dur=[\d.]+, transaction;dur=[\d.]+, response;dur=[\d.]+, gateway;dur=[\d.]+/,
    );
    const trace = (await api('GET', `/api/traces/${traceIdOf(res)}`)).json;
    expect(trace).toMatchObject({
      method: 'GET',
      path: '/data/products',
      url: '/data/products?select=name',
      status: 200,
      user: 'bob@test.com',
      tenant: T1,
      tenantName: 'Test Tenant 1',
      role: 'user',
      parentSpanId: null,
    });
    expect(spanNames(trace)).toEqual([
      'host',
      'token',
      'rbac',
      'gate',
      'postgrest',
      'jwt',
      'parse',
      'plan',
      'transaction',
      'response',
    ]);
    const byName = Object.fromEntries(trace.spans.map((s: { name: string }) => [s.name, s]));
    expect(byName.token.attributes).toEqual({ cached: true });
    expect(byName.rbac.attributes.rule).toBe(`p, user, ${T1}, /data/*, GET`);
    expect(byName.jwt.depth).toBe(2);
    // PostgREST's phases fit inside its call, and the call inside the request.
    const phases = trace.spans.filter((s: { depth: number }) => s.depth === 2);
    const phaseSum = phases.reduce((sum: number, s: { durationMs: number }) => sum + s.durationMs, 0);
    expect(phaseSum).toBeLessThanOrEqual(byName.postgrest.durationMs + 0.01);
    expect(byName.postgrest.durationMs).toBeLessThanOrEqual(trace.durationMs);
  });

  it('continues an incoming traceparent, and ignores a malformed one (a new trace, never a 400)', async () => {
    const bob = await tokenFor('bob@test.com');
    const traceId = randomUUID().replaceAll('-', '');
    const parent = '00f067aa0ba902b7';
    const res = await call('GET', gateway('/data/products?select=name'), {
      token: bob,
      headers: { traceparent: `00-${traceId}-${parent}-01` },
    });
    expect(traceIdOf(res)).toBe(traceId);
    expect(String(res.headers.traceparent).split('-')[2]).not.toBe(parent);
    expect((await api('GET', `/api/traces/${traceId}`)).json.parentSpanId).toBe(parent);

    const bad = await call('GET', gateway('/data/products?select=name'), {
      token: bob,
      headers: { traceparent: '00-zzzz-not-a-trace-01' },
    });
    expect(bad.status).toBe(200);
    expect(traceIdOf(bad)).toMatch(/^[0-9a-f]{32}$/);
  });

  it("traces the full path too: a first token verified, a write, a refusal's error code", async () => {
    const bob = await tokenFor('bob@test.com');
    const write = await call('PATCH', gateway('/data/products?name=eq.nothing-such'), {
      token: bob,
      body: { price: 1 },
    });
    expect(write.status).toBe(204);
    const trace = (await api('GET', `/api/traces/${traceIdOf(write)}`)).json;
    expect(spanNames(trace)).toEqual(expect.arrayContaining(['host', 'token', 'rbac', 'gate', 'postgrest']));

    const denied = await call('DELETE', gateway('/data/products?name=eq.x'), { token: bob });
    expectCleanError(denied, 403);
    const refused = (await api('GET', `/api/traces/${traceIdOf(denied)}`)).json;
    expect(refused).toMatchObject({ status: 403, error: 'forbidden' });
    expect(refused.spans.find((s: { name: string }) => s.name === 'rbac').attributes.missing).toBe(
      `p, user, ${T1}, /data/*, DELETE`,
    );

    const anonymous = await call('GET', gateway('/data/products'), {});
    expect((await api('GET', `/api/traces/${traceIdOf(anonymous)}`)).json).toMatchObject({
      status: 401,
      error: 'token_missing',
      user: null,
    });
  });

  it('traces the other doors: Kratos (login), MinIO (storage), Temporal (workflows), the function pool', async () => {
    const login = await call('POST', gateway('/auth/login'), {
      body: { email: 'bob@test.com', password: 'apprun-dev-password' },
    });
    expect(spanNames((await api('GET', `/api/traces/${traceIdOf(login)}`)).json)).toContain('kratos');

    const alice = await tokenFor('alice@test.com');
    const list = await call('GET', gateway('/storage'), { token: alice });
    expect(spanNames((await api('GET', `/api/traces/${traceIdOf(list)}`)).json)).toContain('minio');
    const flows = await call('GET', gateway('/workflows'), { token: alice });
    expect(spanNames((await api('GET', `/api/traces/${traceIdOf(flows)}`)).json)).toContain('temporal');

    expect((await deployFunction(gateway(''), alice, 'trace-hello', wasmModule('hello'))).status).toBe(201);
    const run = await call('POST', gateway('/functions/trace-hello/invoke'), { token: alice, body: 'x' });
    expect(run.status).toBe(200);
    expect(String(run.headers['server-timing'])).toMatch(/function;dur=[\d.]+, queue;dur=[\d.]+, compile;dur=/);
    const invoked = (await api('GET', `/api/traces/${traceIdOf(run)}`)).json;
    expect(spanNames(invoked)).toEqual(expect.arrayContaining(['function', 'queue', 'compile', 'instantiate', 'run']));
  });

  it('lists kept requests with filters; refuses bad queries, unknown ids and callers without the admin token', async () => {
    const bob = await tokenFor('bob@test.com');
    const denied = await call('DELETE', gateway('/data/products?name=eq.y'), { token: bob });
    const list = (await api('GET', '/api/traces?status=error&path=/data/products&tenant=test%20tenant%201&limit=5'))
      .json;
    expect(list.enabled).toBe(true);
    expect(list.traces[0]).toMatchObject({ traceId: traceIdOf(denied), status: 403, user: 'bob@test.com' });
    expect(list.traces.every((t: { status: number }) => t.status >= 400)).toBe(true);
    expect(list.traces.length).toBeLessThanOrEqual(5);

    expectCleanError(await api('GET', `/api/traces/${'0'.repeat(31)}1`), 404);
    expectCleanError(await api('GET', '/api/traces/not-an-id'), 400);
    expectCleanError(await api('GET', '/api/traces?status=teapot'), 400);
    expectCleanError(await api('GET', '/api/traces?tenant=no-such-tenant'), 400);
    expectCleanError(await call('GET', gateway('/api/traces')), 401);
    expectCleanError(await call('GET', gateway('/api/traces'), { token: bob }), 401);
  });
});

describe('the access explainer', () => {
  const explain = (body: Record<string, unknown>) => api('POST', '/api/explain', body);

  it("counts the rows RLS hides from a caller by the policy's name, never showing them", async () => {
    const res = await explain({ as: 'alice@test.com', method: 'GET', path: `/data/products?name=eq.${uniqueName}` });
    expect(res.status, res.text).toBe(200);
    const e = res.json;
    expect(e).toMatchObject({ status: 200, executed: true, caller: { email: 'alice@test.com', tenant: T1 } });
    expect(e.tables[0]).toMatchObject({
      table: 'products',
      rlsEnabled: true,
      tenantPinned: true,
      matching: 1,
      visible: 0,
      hidden: 1,
      sentence: '1 match, 0 visible, 1 hidden by `products_own_tenant`',
    });
    expect(e.tables[0].policies[0]).toMatchObject({
      name: 'products_own_tenant',
      using: expect.stringContaining('current_tenant()'),
    });
    expect(e.summary).toContain('hidden by `products_own_tenant`');
    expect(res.text).not.toContain(T2); // counts only: nothing of the hidden row
    // The explained request is a trace of its own, as alice.
    expect((await api('GET', `/api/traces/${e.traceId}`)).json.user).toBe('alice@test.com');
  });

  it('names the role, the rules it has and the one missing for a 403', async () => {
    const e = (await explain({ as: 'bob@test.com', method: 'DELETE', path: '/data/products?name=eq.Widget' })).json;
    expect(e).toMatchObject({ status: 403, error: 'forbidden', executed: false });
    expect(e.rbac.rule).toBe(`p, user, ${T1}, /data/*, DELETE`);
    expect(e.rbac.rules).toContain(`p, user, ${T1}, /data/*, GET`);
    expect(e.summary).toMatch(/role user of tenant Test Tenant 1 has \d+ rules, none for DELETE/);
  });

  it('says what is wrong with an expired token, from the token or from its kept request', async () => {
    const jwk: JWK = JSON.parse(readFileSync(path.join(stack().home, 'secrets', 'jwt-signing-key.json'), 'utf8'));
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({
      sub: '00000000-0000-4000-8000-0000000000b1',
      email: 'bob@test.com',
      tenant_id: T1,
      role: 'user',
      db_role: 'apprun_user',
      sid: 'old',
    })
      .setProtectedHeader({ alg: 'EdDSA', kid: jwk.kid })
      .setIssuer('apprun-gateway')
      .setAudience('apprun')
      .setIssuedAt(now - 900)
      .setNotBefore(now - 900)
      .setExpirationTime(now - 60)
      .sign(await importJWK(jwk, 'EdDSA'));
    const e = (await explain({ token: expired, method: 'GET', path: '/data/products' })).json;
    expect(e).toMatchObject({ status: 401, error: 'token_expired', code: { code: 'token_expired' } });
    expect(e.summary).toMatch(/claims to be bob@test\.com\. It expired at .* \(\d+ s ago\)/);

    const refused = await call('GET', gateway('/data/products'), { token: expired });
    expectCleanError(refused, 401);
    const kept = (await explain({ traceId: traceIdOf(refused) })).json;
    expect(kept).toMatchObject({ status: 401, error: 'token_expired', caller: null });
    expect(kept.summary).toContain('log in again');
  });

  it('explains a write in a transaction that is rolled back: nothing changes', async () => {
    const before = (await db.query('select count(*)::int as n from api.products')).rows[0].n;
    const name = `explain-write-${randomUUID().slice(0, 6)}`;
    const e = (await explain({ as: 'bob@test.com', method: 'POST', path: '/data/products', body: { name, price: 3 } }))
      .json;
    expect(e).toMatchObject({ status: 201, executed: true, rolledBack: true });
    const patch = (
      await explain({
        as: 'alice@test.com',
        method: 'PATCH',
        path: '/data/products?name=eq.Widget',
        body: { price: 0 },
      })
    ).json;
    expect(patch).toMatchObject({ executed: true, rolledBack: true });
    expect(patch.tables[0]).toMatchObject({ matching: 1, visible: 1, hidden: 0 });
    const failing = (
      await explain({ as: 'bob@test.com', method: 'POST', path: '/data/products', body: { name: '', price: 1 } })
    ).json;
    expect(failing).toMatchObject({ status: 400, code: { code: '23514' } });
    expect(failing.summary).toContain('CHECK constraint');
    expect((await db.query('select count(*)::int as n from api.products')).rows[0].n).toBe(before);
    expect(
      (await db.query('select price from api.products where name = $1 and tenant_id = $2', ['Widget', T1])).rows[0]
        .price,
    ).not.toBe('0.00');
  });

  it('refuses what it cannot explain with a clear 400', async () => {
    expectCleanError(await explain({ as: 'nobody@nowhere.test', method: 'GET', path: '/data/products' }), 400);
    expectCleanError(await explain({ as: 'bob@test.com', method: 'GET', path: '/api/stack' }), 400);
    expectCleanError(await explain({ as: 'bob@test.com', method: 'GET', path: '/data/../api/stack' }), 400);
    expectCleanError(await explain({ as: 'bob@test.com', method: 'GET', path: 'http://example.com/data/x' }), 400);
    expectCleanError(await explain({ as: 'bob@test.com', method: 'TRACE', path: '/data/products' }), 400);
    expectCleanError(await explain({ method: 'GET', path: '/data/products' }), 400);
    expectCleanError(await explain({ traceId: 'f'.repeat(32) }), 404);
    expectCleanError(await call('POST', gateway('/api/explain'), { body: { as: 'bob@test.com' } }), 401);
  });

  it('answers on the command line: `apprun explain --as EMAIL METHOD PATH`', async () => {
    const home = ['--home', stack().home];
    const denied = await apprun(['explain', ...home, '--as', 'bob@test.com', 'DELETE', '/data/products?name=eq.x']);
    expect(denied.code, denied.stderr).toBe(0);
    expect(denied.stdout).toContain(`missing: p, user, ${T1}, /data/*, DELETE`);
    const hidden = await apprun([
      'explain',
      ...home,
      '--as',
      'alice@test.com',
      'GET',
      `/data/products?name=eq.${uniqueName}`,
    ]);
    expect(hidden.stdout).toContain('1 match, 0 visible, 1 hidden by `products_own_tenant`');
    expect(hidden.stdout).toMatch(/policy products_own_tenant \(permissive, ALL, to apprun_admin, apprun_user\) using/);
    const bad = await apprun(['explain', ...home, '--as', 'bob@test.com', 'FETCH', '/data/products']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('unknown method FETCH');
    const unknown = await apprun(['explain', ...home, '--as', 'nobody@x.test', 'GET', '/data/products']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no user nobody@x.test');
  });
});
