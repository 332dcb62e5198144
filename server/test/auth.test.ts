import { randomBytes } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncIdentities } from '../auth/identities.js';
import { KratosClient } from '../auth/kratos-client.js';
import { DEFAULT_DEV_PASSWORD } from '../settings.js';
import { adminDb, call, expectCleanError, gateway, login, stack, T2 } from './http.js';

const kratosAdmin = () => `http://127.0.0.1:${Number(new URL(stack().gatewayUrl).port) + 5}`;
const unique = () => `user-${randomBytes(4).toString('hex')}@test.com`;
const strongPassword = 'correct horse battery staple 42';

let db: pg.Pool;
beforeAll(() => {
  db = adminDb();
});
afterAll(() => db.end());

describe('sign-up and login through Kratos', () => {
  it('register → login → /data shows only the own tenant', async () => {
    const email = unique();
    const reg = await call('POST', gateway('/auth/register'), {
      body: { email, password: strongPassword, tenant: 'Test Tenant 2', name: 'Eve' },
    });
    expect(reg.status).toBe(201);
    expect(reg.json.user).toMatchObject({ email, tenant_id: T2, role: 'user', name: 'Eve' });
    const identity = await call('GET', `${kratosAdmin()}/admin/identities?credentials_identifier=${email}`);
    expect(identity.json[0].metadata_public).toEqual({ tenant_id: T2, role: 'user' });

    const res = await login(gateway(''), email, strongPassword);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    const products = await call('GET', gateway('/data/products'), { token: res.json.access_token });
    expect(products.json.map((p: { name: string }) => p.name)).toEqual(['Gizmo']);
  });

  it('signs tokens with EdDSA under a kid published in the JWKS', async () => {
    const token = (await login(gateway(''), 'alice@test.com')).json.access_token;
    const header = decodeProtectedHeader(token);
    const jwks = await call('GET', gateway('/.well-known/jwks.json'));
    expect(header.alg).toBe('EdDSA');
    expect(jwks.json.keys.map((k: { kid: string }) => k.kid)).toContain(header.kid);
    expect(jwks.json.keys[0].d).toBeUndefined();
  });

  it('logout revokes the session: no new tokens, and its access tokens stop working', async () => {
    const res = await login(gateway(''), 'bob@test.com');
    const { session_token, access_token } = res.json;
    expect((await call('POST', gateway('/auth/token'), { body: { session_token } })).status).toBe(200);
    expect((await call('GET', gateway('/data/products'), { token: access_token })).status).toBe(200);
    expect((await call('POST', gateway('/auth/logout'), { body: { session_token } })).status).toBe(204);
    expectCleanError(await call('POST', gateway('/auth/token'), { body: { session_token } }), 401);
    const replay = await call('GET', gateway('/data/products'), { token: access_token });
    expectCleanError(replay, 401);
    expect(replay.json.error).toBe('session_revoked');
    expectCleanError(await call('POST', gateway('/auth/logout'), { body: { session_token } }), 401);
  });

  it('the seeded users follow the devPassword setting', async () => {
    const kratos = new KratosClient(`http://127.0.0.1:${Number(new URL(stack().gatewayUrl).port) + 4}`, kratosAdmin());
    try {
      await syncIdentities(db, kratos, { devPassword: 'a-changed-dev-password' });
      expect((await login(gateway(''), 'charlie@test.com', 'a-changed-dev-password')).status).toBe(200);
      expect((await login(gateway(''), 'charlie@test.com')).status).toBe(401);
    } finally {
      await syncIdentities(db, kratos, { devPassword: DEFAULT_DEV_PASSWORD });
    }
    expect((await login(gateway(''), 'charlie@test.com')).status).toBe(200);
  });
});

describe('password hashes', () => {
  it('new passwords are argon2id; a bcrypt hash from before still logs in and is re-hashed to argon2id', async () => {
    const kratos = new KratosClient(`http://127.0.0.1:${Number(new URL(stack().gatewayUrl).port) + 4}`, kratosAdmin());
    const fresh = await kratos.register(unique(), strongPassword, 'Argon');
    expect((await kratos.exportIdentity(fresh.identityId))?.hashedPassword).toMatch(/^\$argon2id\$/);
    // bcrypt (cost 12) of 'old-bcrypt-password', as an apprun home made before the switch holds it.
    const bcrypt = '$2b$12$jALOIUKUyzaxD3XL2vd/hO2tB8.ySbgz5u3A4EuTQVKZ5j2E3zwJ6';
    const email = unique();
    const id = await kratos.importIdentity({
      traits: { email, name: 'Old' },
      metadata: { tenant_id: T2, role: 'member' },
      hashedPassword: bcrypt,
    });
    try {
      await expect(kratos.login(email, 'not-the-password')).rejects.toThrow();
      expect((await kratos.login(email, 'old-bcrypt-password')).identityId).toBe(id);
      expect((await kratos.exportIdentity(id))?.hashedPassword).toMatch(/^\$argon2id\$/);
      expect((await kratos.login(email, 'old-bcrypt-password')).identityId).toBe(id);
    } finally {
      await kratos.deleteIdentity(id);
      await kratos.deleteIdentity(fresh.identityId);
    }
  });
});

describe('bad input on /auth is a clear 4xx', () => {
  it('wrong password and unknown user get the same 401, revealing nothing', async () => {
    const wrong = await login(gateway(''), 'alice@test.com', 'not-her-password');
    const unknown = await login(gateway(''), 'nobody-at-all@test.com', 'whatever-password');
    expectCleanError(wrong, 401);
    expectCleanError(unknown, 401);
    expect(wrong.json).toEqual(unknown.json);
  });

  it('a duplicate registration is 409', async () => {
    const email = unique();
    const body = { email, password: strongPassword, tenant: 'Test Tenant 1', name: 'Dup' };
    expect((await call('POST', gateway('/auth/register'), { body })).status).toBe(201);
    const again = await call('POST', gateway('/auth/register'), { body });
    expectCleanError(again, 409);
    expect((await call('POST', gateway('/auth/register'), { body: { ...body, email: 'alice@test.com' } })).status).toBe(
      409,
    );
  });

  it("a weak password is refused with Kratos' reason", async () => {
    for (const password of ['short', 'user-weak@test.com1']) {
      const res = await call('POST', gateway('/auth/register'), {
        body: { email: 'user-weak@test.com', password, tenant: 'Test Tenant 1', name: 'Weak' },
      });
      expectCleanError(res, 400);
      expect(res.json.error).toBe('registration_rejected');
      expect(res.json.message.length).toBeGreaterThan(10);
    }
  });

  it('registration into a tenant that does not exist is refused before Kratos sees it', async () => {
    const email = unique();
    const res = await call('POST', gateway('/auth/register'), {
      body: { email, password: strongPassword, tenant: 'Nope Inc', name: 'X' },
    });
    expectCleanError(res, 400);
    expect(res.json.error).toBe('unknown_tenant');
    expect((await call('GET', `${kratosAdmin()}/admin/identities?credentials_identifier=${email}`)).json).toEqual([]);
  });

  it.each([
    ['malformed JSON', '{"email": "a@b.c", ', 400],
    ['missing fields', { email: 'a@test.com' }, 400],
    ['not an email', { email: 'not-an-email', password: strongPassword, tenant: 'Test Tenant 1', name: 'X' }, 400],
    [
      'unexpected fields',
      { email: 'a@test.com', password: strongPassword, tenant: 'Test Tenant 1', name: 'X', role: 'admin' },
      400,
    ],
    ['oversized body', { email: 'a@test.com', password: 'x'.repeat(20_000), tenant: 'Test Tenant 1', name: 'X' }, 413],
  ])('register: %s → %i', async (_name, body, status) => {
    expectCleanError(await call('POST', gateway('/auth/register'), { body }), status);
  });

  it('login and token refuse malformed requests', async () => {
    expectCleanError(await call('POST', gateway('/auth/login'), { body: '[' }), 400);
    expectCleanError(await call('POST', gateway('/auth/login'), { body: { email: 'alice@test.com' } }), 400);
    expectCleanError(await call('POST', gateway('/auth/token'), { body: { session_token: 'made-up' } }), 401);
  });
});
