import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { DEFAULT_POLICIES } from '../rbac/authorizer.js';
import { startApprun } from './apprun-process.js';
import { processesMentioning } from './cli.js';
import { call, callThrough, deployFunction, expectCleanError, login, stack, T1, wasmModule } from './http.js';
import { TEST_PORT_BASES } from './port-bases.js';
import { until } from './until.js';

// Two gateways on one stack, as replicas behind a load balancer: the appliance's (`apprun up`) and a second one
// (`apprun gateway --port`, started by the global setup in a process of its own). The isolation suite runs again
// here, every call through the second gateway (the parity suite too, in second-gateway-parity.test.ts); then what the
// two must agree on.

const second = inject('stack').secondGatewayUrl;
callThrough(second);
await import('./isolation.test.js');

const first = () => stack().gatewayUrl;
const admin = () => ({ 'x-apprun-admin-token': stack().adminToken });
const invoke = (at: string, token: string, name: string, body = '') =>
  call('POST', `${at}/functions/${name}/invoke`, { token, body, headers: { 'content-type': 'text/plain' } });

describe('two gateways on one stack', () => {
  it('publish the same keys, and a token from either works at the other', async () => {
    const [jwksA, jwksB] = await Promise.all([
      call('GET', `${first()}/.well-known/jwks.json`),
      call('GET', `${second}/.well-known/jwks.json`),
    ]);
    expect(jwksB.json).toEqual(jwksA.json);
    const fromFirst = (await login(first(), 'bob@test.com')).json.access_token as string;
    const fromSecond = (await login(second, 'bob@test.com')).json.access_token as string;
    for (const [at, token] of [
      [second, fromFirst],
      [first(), fromSecond],
    ] as const) {
      const res = await call('GET', `${at}/data/products?select=name,tenant_id`, { token });
      expect(res.status, res.text).toBe(200);
      expect(res.json.every((p: { tenant_id: string }) => p.tenant_id === T1)).toBe(true);
    }
  });

  it('a policy changed at one gateway is enforced at the other', async () => {
    const alice = (await login(first(), 'alice@test.com')).json.access_token as string;
    const bob = (await login(second, 'bob@test.com')).json.access_token as string;
    expect((await call('GET', `${second}/data/products?select=name`, { token: bob })).status).toBe(200);
    const narrowed = DEFAULT_POLICIES.filter((p) => !(p.role === 'user' && p.path === '/data/*'));
    const put = await call('PUT', `${first()}/auth/policies`, { token: alice, body: { policies: narrowed } });
    expect(put.status, put.text).toBe(200);
    try {
      await until('the second gateway refuses bob', async () =>
        (await call('GET', `${second}/data/products?select=name`, { token: bob })).status === 403 ? true : undefined,
      );
      const refused = await call('GET', `${second}/data/products?select=name`, { token: bob });
      expect(refused.json.missing_rule).toBe(`p, user, ${T1}, /data/*, GET`);
    } finally {
      await call('PUT', `${second}/auth/policies`, { token: alice, body: { policies: DEFAULT_POLICIES } });
    }
    // And back, the other way: restored at the second gateway, bob reads at the first again.
    await until('the first gateway lets bob read again', async () =>
      (await call('GET', `${first()}/data/products?select=name`, { token: bob })).status === 200 ? true : undefined,
    );
  });

  it('a logout at one gateway retires the token at the other', async () => {
    const session = (await login(first(), 'bob@test.com')).json;
    expect((await call('GET', `${second}/data/products?select=name`, { token: session.access_token })).status).toBe(
      200,
    );
    const out = await call('POST', `${first()}/auth/logout`, { body: { session_token: session.session_token } });
    expect(out.status, out.text).toBe(204);
    await until('the second gateway refuses the token', async () =>
      (await call('GET', `${second}/data/products?select=name`, { token: session.access_token })).status === 401
        ? true
        : undefined,
    );
    const refused = await call('GET', `${second}/data/products?select=name`, { token: session.access_token });
    expectCleanError(refused, 401);
    expect(refused.json.error).toBe('session_revoked');
  });

  it('a user disabled at one gateway has their tokens refused at the other, and may come back', async () => {
    const created = await call('POST', `${first()}/api/users`, {
      headers: admin(),
      body: { email: `replica-${Date.now()}@users.test`, password: 'a-long-enough-password', tenant: 'Test Tenant 2' },
    });
    expect(created.status, created.text).toBe(201);
    const user = created.json as { id: string; email: string };
    try {
      const token = (await login(second, user.email, 'a-long-enough-password')).json.access_token as string;
      expect((await call('GET', `${second}/data/products?select=id`, { token })).status).toBe(200);
      expect(
        (await call('PATCH', `${first()}/api/users/${user.id}`, { headers: admin(), body: { disabled: true } })).status,
      ).toBe(200);
      await until('the second gateway refuses the token', async () =>
        (await call('GET', `${second}/data/products?select=id`, { token })).status === 401 ? true : undefined,
      );
      expect(
        (await call('PATCH', `${second}/api/users/${user.id}`, { headers: admin(), body: { disabled: false } })).status,
      ).toBe(200);
      const again = (await login(first(), user.email, 'a-long-enough-password')).json.access_token as string;
      expect((await call('GET', `${second}/data/products?select=id`, { token: again })).status).toBe(200);
    } finally {
      await call('DELETE', `${first()}/api/users/${user.id}`, { headers: admin() });
    }
  });

  it('a function deployed, replaced or removed at one gateway is what the other runs', async () => {
    const alice = (await login(first(), 'alice@test.com')).json.access_token as string;
    expect((await deployFunction(second, alice, 'replicated', wasmModule('hello'))).status).toBe(201);
    expect((await invoke(first(), alice, 'replicated', 'twice')).text).toBe('Hello, twice!');
    expect((await invoke(second, alice, 'replicated', 'twice')).text).toBe('Hello, twice!');
    // Replaced at the first: the second drops the record it held and runs the new module.
    expect((await deployFunction(first(), alice, 'replicated', wasmModule('whoami'))).status).toBe(201);
    const fresh = (await invoke(first(), alice, 'replicated')).text;
    expect(fresh).not.toBe('Hello, !');
    await until('the second runs the new module', async () =>
      (await invoke(second, alice, 'replicated')).text === fresh ? true : undefined,
    );
    expect((await call('DELETE', `${first()}/functions/replicated`, { token: alice })).status).toBe(204);
    await until('the second no longer has it', async () =>
      (await invoke(second, alice, 'replicated')).status === 404 ? true : undefined,
    );
  });

  it('leaves snapshots, resets and service control to the appliance (409 appliance_only)', async () => {
    for (const [method, url] of [
      ['POST', '/api/snapshots'],
      ['POST', '/api/reset'],
      ['POST', '/api/stack/kratos/restart'],
    ] as const) {
      const res = await call(method, `${second}${url}`, { headers: admin(), body: method === 'POST' ? {} : undefined });
      expectCleanError(res, 409);
      expect(res.json.error).toBe('appliance_only');
    }
    expect((await call('GET', `${second}/api/snapshots`, { headers: admin() })).status).toBe(200);
  });

  it('stops when its appliance stops, leaving no process behind', async () => {
    const home = await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-replica-'));
    await fs.chmod(home, 0o755);
    try {
      const run = await startApprun(home, TEST_PORT_BASES.replica);
      const { spawn } = await import('node:child_process');
      const { BIN } = await import('./cli.js');
      const port = TEST_PORT_BASES.replica + 90;
      const child = spawn(process.execPath, [BIN, 'gateway', '--port', String(port), '--home', home], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c));
      child.stderr.on('data', (c: Buffer) => (out += c));
      await until(
        'the second gateway is up',
        async () => (out.includes('second gateway up') ? true : undefined),
        60_000,
      );
      const exited = new Promise<number | null>((r) => child.once('exit', r));
      await run.stop();
      expect(await exited).toBe(0);
      expect(out).toContain('stopped: stopping the second gateway');
      expect(processesMentioning(home)).toEqual([]);
    } finally {
      await fs.rm(home, { recursive: true, force: true });
    }
  }, 180_000);
});
