import { describe, expect, it } from 'vitest';
import { call, expectCleanError, gateway, stack, tokenFor } from './http.js';

describe('bad input gets a clear JSON error, never a 500', () => {
  it.each([
    ['unknown table', 'GET', '/data/no_such_table', undefined, undefined, 404, 'unknown_table'],
    ['a name that is not a table', 'GET', '/data/products;drop', undefined, undefined, 404, 'unknown_table'],
    ['nested path', 'GET', '/data/products/1', undefined, undefined, 404, 'unknown_table'],
    ['malformed select', 'GET', '/data/products?select=name(', undefined, undefined, 400, 'bad_request'],
    ['unknown operator', 'GET', '/data/products?price=like_a_boss.3', undefined, undefined, 400, 'bad_request'],
    ['unknown column', 'GET', '/data/products?nope=eq.1', undefined, undefined, 400, 'bad_request'],
    ['value of the wrong type', 'GET', '/data/products?id=eq.not-a-number', undefined, undefined, 400, 'bad_request'],
    ['invalid JSON body', 'POST', '/data/products', '{"name": ', undefined, 400, 'invalid_json'],
    ['body breaking a constraint', 'POST', '/data/products', { name: 'x', price: -1 }, undefined, 400, 'bad_request'],
    [
      'unsupported content type (PostgREST’s own 400)',
      'POST',
      '/data/products',
      '<name>x</name>',
      { 'content-type': 'application/xml' },
      400,
      'bad_request',
    ],
    [
      'PUT without its primary key filter',
      'PUT',
      '/data/products',
      { name: 'x', price: 1 },
      undefined,
      405,
      'method_not_allowed',
    ],
    [
      'oversized body (2 MB)',
      'POST',
      '/data/products',
      JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }),
      undefined,
      413,
      'body_too_large',
    ],
    ['unknown route', 'GET', '/nope', undefined, undefined, 404, 'not_found'],
    ['method the data API does not serve', 'OPTIONS', '/data/products', undefined, undefined, 404, 'not_found'],
  ] as const)('%s', async (_name, method, path, body, headers, status, code) => {
    const token = await tokenFor('alice@test.com');
    const res = await call(method, gateway(path), {
      token,
      body,
      headers: headers as Record<string, string> | undefined,
    });
    expectCleanError(res, status);
    expect(res.json.error).toBe(code);
  });

  it('the dev-token route does not exist unless apprun was started with --dev-tokens', async () => {
    expectCleanError(await call('POST', gateway('/auth/dev-token'), { body: { email: 'alice@test.com' } }), 404);
  });

  it('the control API needs the admin token', async () => {
    expectCleanError(await call('GET', gateway('/api/stack')), 401);
    expectCleanError(await call('GET', gateway('/api/stack'), { headers: { 'x-apprun-admin-token': 'guess' } }), 401);
    const user = await tokenFor('alice@test.com');
    expectCleanError(await call('GET', gateway('/api/stack'), { token: user }), 401);
    const ok = await call('GET', gateway('/api/stack'), { headers: { 'x-apprun-admin-token': stack().adminToken } });
    expect(ok.status).toBe(200);
    expect(ok.json.services.every((s: { state: string }) => s.state === 'healthy')).toBe(true);
    const unknown = await call('GET', gateway('/api/stack/nope/logs'), {
      headers: { 'x-apprun-admin-token': stack().adminToken },
    });
    expectCleanError(unknown, 404);
    const badTail = await call('GET', gateway('/api/stack/postgres/logs?tail=-1'), {
      headers: { 'x-apprun-admin-token': stack().adminToken },
    });
    expectCleanError(badTail, 400);
  });

  it('the gateway still answers after all of it', async () => {
    expect((await call('GET', gateway('/healthz'))).json).toEqual({ status: 'ok' });
  });
});
