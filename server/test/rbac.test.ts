import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICIES } from '../rbac/authorizer.js';
import { adminDb, call, expectCleanError, gateway, T1, T2, tokenFor } from './http.js';

let db: pg.Pool;
let alice: string;
let bob: string;
let charlie: string;

beforeAll(async () => {
  db = adminDb();
  [alice, bob, charlie] = (await Promise.all(['alice@test.com', 'bob@test.com', 'charlie@test.com'].map(tokenFor))) as [
    string,
    string,
    string,
  ];
});
afterAll(async () => {
  // leave tenant 1 with its defaults for the suites that follow
  await call('PUT', gateway('/auth/policies'), { token: alice, body: { policies: DEFAULT_POLICIES } });
  await db.end();
});

describe('RBAC per tenant', () => {
  it('bob (user) cannot DELETE; the 403 names the missing rule', async () => {
    const res = await call('DELETE', gateway('/data/products?name=eq.Widget'), { token: bob });
    expectCleanError(res, 403);
    expect(res.json.missing_rule).toBe(`p, user, ${T1}, /data/*, DELETE`);
    expect((await db.query(`select 1 from api.products where name = 'Widget'`)).rowCount).toBe(1);
  });

  it('denies by default: a user may not read the policies, anonymous callers get 401', async () => {
    const res = await call('GET', gateway('/auth/policies'), { token: bob });
    expectCleanError(res, 403);
    expect(res.json.missing_rule).toBe(`p, user, ${T1}, /auth/policies, GET`);
    expectCleanError(await call('GET', gateway('/auth/policies')), 401);
  });

  it('charlie (tenant 2 admin) cannot touch tenant 1 through any route', async () => {
    expect((await call('GET', gateway(`/data/products?tenant_id=eq.${T1}`), { token: charlie })).json).toEqual([]);
    expect(
      (
        await call('DELETE', gateway(`/data/products?tenant_id=eq.${T1}`), {
          token: charlie,
          headers: { prefer: 'return=representation' },
        })
      ).json,
    ).toEqual([]);
    const policies = await call('GET', gateway('/auth/policies'), { token: charlie });
    expect(policies.json.tenant_id).toBe(T2);
    // charlie's policy edit changes tenant 2 only
    const onlyAdmins = DEFAULT_POLICIES.filter((p) => p.role === 'admin');
    expect(
      (await call('PUT', gateway('/auth/policies'), { token: charlie, body: { policies: onlyAdmins } })).status,
    ).toBe(200);
    expect(
      (
        await call('POST', gateway('/data/products'), {
          token: bob,
          body: { name: 'still allowed', price: 1 },
          headers: { prefer: 'return=representation' },
        })
      ).status,
    ).toBe(201);
    await call('DELETE', gateway(`/data/products?name=eq.still allowed`), { token: alice });
    expect(
      (await call('PUT', gateway('/auth/policies'), { token: charlie, body: { policies: DEFAULT_POLICIES } })).status,
    ).toBe(200);
  });

  it('a policy change applies at once, without a restart, and is stored in Postgres', async () => {
    const withoutUserWrites = DEFAULT_POLICIES.map((p) =>
      p.role === 'user' && p.path === '/data/*' ? { ...p, methods: ['GET' as const] } : p,
    );
    const put = await call('PUT', gateway('/auth/policies'), { token: alice, body: { policies: withoutUserWrites } });
    expect(put.status).toBe(200);
    const denied = await call('POST', gateway('/data/products'), { token: bob, body: { name: 'Blocked', price: 1 } });
    expectCleanError(denied, 403);
    expect(denied.json.missing_rule).toBe(`p, user, ${T1}, /data/*, POST`);
    const stored = await db.query(
      `select count(*)::int as n from casbin where ptype = 'p' and rule->>0 = 'user' and rule->>1 = $1 and rule->>2 ` +
        `= '/data/*'`,
      [T1],
    );
    expect(stored.rows[0].n).toBe(1);

    expect(
      (await call('PUT', gateway('/auth/policies'), { token: alice, body: { policies: DEFAULT_POLICIES } })).status,
    ).toBe(200);
    const allowed = await call('POST', gateway('/data/products'), {
      token: bob,
      body: { name: 'Allowed again', price: 1 },
    });
    expect(allowed.status).toBe(201);
    await call('DELETE', gateway('/data/products?name=eq.Allowed again'), { token: alice });
  });

  it('refuses policy sets that are malformed or would lock the admins out', async () => {
    const lockout = await call('PUT', gateway('/auth/policies'), {
      token: alice,
      body: { policies: DEFAULT_POLICIES.filter((p) => p.path !== '/auth/policies') },
    });
    expectCleanError(lockout, 400);
    expect(lockout.json.error).toBe('would_lock_out');
    for (const policies of [
      [{ role: 'root', path: '/data/*', methods: ['GET'] }],
      [{ role: 'user', path: '/etc/passwd', methods: ['GET'] }],
      [{ role: 'user', path: '/data/*', methods: ['TRACE'] }],
      'all',
    ]) {
      expectCleanError(await call('PUT', gateway('/auth/policies'), { token: alice, body: { policies } }), 400);
    }
    expect((await call('GET', gateway('/auth/policies'), { token: alice })).json.policies).toHaveLength(
      DEFAULT_POLICIES.length,
    );
  });
});
