import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { adminDb, call, expectCleanError, gateway, login, stack, T1, T2, tokenFor } from './http.js';

// The admin's users (/api/users) and the read-only SQL console (/api/sql), on the shared real stack: Kratos,
// Postgres and the gateway.

const admin = () => ({ 'x-apprun-admin-token': stack().adminToken });
const api = (method: string, p: string, body?: unknown) => call(method, gateway(p), { headers: admin(), body });
const sql = (body: Record<string, unknown>) => api('POST', '/api/sql', body);
const PASSWORD = 'a-long-enough-password';
const created: string[] = [];
const email = (what: string) => `${what}-${randomUUID().slice(0, 8)}@users.test`;

afterAll(async () => {
  for (const id of created) await api('DELETE', `/api/users/${id}`);
});

async function newUser(what: string, tenant = 'Test Tenant 2', role = 'user') {
  const res = await api('POST', '/api/users', { email: email(what), password: PASSWORD, tenant, role });
  expect(res.status, res.text).toBe(201);
  created.push(res.json.id);
  return res.json as { id: string; email: string; tenant_id: string; state: string };
}

describe('/api/users', () => {
  it('creates a user in a tenant named as /auth/register takes it, who logs in at once and is listed', async () => {
    const user = await newUser('dana');
    expect(user).toMatchObject({ tenant_id: T2, state: 'active' });
    expect((await login(gateway(''), user.email, PASSWORD)).status).toBe(200);
    const byId = await api('POST', '/api/users', {
      email: email('erin'),
      password: PASSWORD,
      tenant: T1,
      role: 'admin',
    });
    expect(byId.json).toMatchObject({ tenant_id: T1, tenant_name: 'Test Tenant 1', role: 'admin' });
    created.push(byId.json.id);

    const all = (await api('GET', '/api/users')).json.users as {
      email: string;
      tenant_name: string;
      from_config: boolean;
    }[];
    expect(all.find((u) => u.email === 'alice@test.com')).toMatchObject({
      tenant_name: 'Test Tenant 1',
      from_config: true,
    });
    expect(all.find((u) => u.email === user.email)).toMatchObject({ tenant_name: 'Test Tenant 2', from_config: false });
    const t2 = (await api('GET', '/api/users?tenant=test%20tenant%202')).json.users as { tenant_id: string }[];
    expect(t2.length).toBeGreaterThan(0);
    expect(t2.every((u) => u.tenant_id === T2)).toBe(true);
  });

  it('disables a user: no login, and the tokens they hold are refused at once; enabling lets them back', async () => {
    const user = await newUser('frank');
    const token = (await login(gateway(''), user.email, PASSWORD)).json.access_token;
    expect((await call('GET', gateway('/data/products?select=id'), { token })).status).toBe(200);

    const off = await api('PATCH', `/api/users/${user.id}`, { disabled: true });
    expect(off.json.state).toBe('disabled');
    expectCleanError(await call('GET', gateway('/data/products?select=id'), { token }), 401);
    const refused = await login(gateway(''), user.email, PASSWORD);
    expectCleanError(refused, 401);
    expect(refused.json.error).toBe('account_disabled');
    expectCleanError(await api('POST', `/api/users/${user.id}/act-as`), 409);

    expect((await api('PATCH', `/api/users/${user.id}`, { disabled: false })).json.state).toBe('active');
    const again = (await login(gateway(''), user.email, PASSWORD)).json.access_token;
    expect((await call('GET', gateway('/data/products?select=id'), { token: again })).status).toBe(200);
    // The token held before the disable stays refused.
    expectCleanError(await call('GET', gateway('/data/products?select=id'), { token }), 401);
  });

  it('changes a role at once: the tokens of the old role are refused, a new login carries the new one', async () => {
    const user = await newUser('ivan');
    const token = (await login(gateway(''), user.email, PASSWORD)).json.access_token;
    expect((await call('GET', gateway('/auth/policies'), { token })).status).toBe(403);
    const changed = await api('PATCH', `/api/users/${user.id}`, { role: 'admin' });
    expect(changed.json.role).toBe('admin');
    expectCleanError(await call('GET', gateway('/data/products?select=id'), { token }), 401);
    const admin = (await login(gateway(''), user.email, PASSWORD)).json.access_token;
    expect((await call('GET', gateway('/auth/policies'), { token: admin })).status).toBe(200);
  });

  it('resets a password: the old one stops working, the new one logs in', async () => {
    const user = await newUser('gina');
    await api('PATCH', `/api/users/${user.id}`, { password: 'the-new-password' });
    expect((await login(gateway(''), user.email, PASSWORD)).status).toBe(401);
    expect((await login(gateway(''), user.email, 'the-new-password')).status).toBe(200);
  });

  it('acts as a user: their token, their tenant only', async () => {
    const charlie = ((await api('GET', '/api/users')).json.users as { id: string; email: string }[]).find(
      (u) => u.email === 'charlie@test.com',
    )!;
    const acting = await api('POST', `/api/users/${charlie.id}/act-as`);
    expect(acting.status).toBe(200);
    expect(acting.json.user.email).toBe('charlie@test.com');
    const rows = await call('GET', gateway('/data/products?select=tenant_id'), { token: acting.json.access_token });
    expect(rows.status).toBe(200);
    expect(rows.json.length).toBeGreaterThan(0);
    expect(new Set(rows.json.map((r: { tenant_id: string }) => r.tenant_id))).toEqual(new Set([T2]));
  });

  it('deletes a user: gone from Kratos and the list, their token refused', async () => {
    const user = await newUser('hank');
    const token = (await login(gateway(''), user.email, PASSWORD)).json.access_token;
    const res = await api('DELETE', `/api/users/${user.id}`);
    expect(res.status).toBe(204);
    expectCleanError(await call('GET', gateway('/data/products?select=id'), { token }), 401);
    expect((await login(gateway(''), user.email, PASSWORD)).status).toBe(401);
    expect(((await api('GET', '/api/users')).json.users as { id: string }[]).some((u) => u.id === user.id)).toBe(false);
    const db = adminDb();
    expect((await db.query('select 1 from app_private.users where id = $1', [user.id])).rowCount).toBe(0);
    await db.end();
    expectCleanError(await api('DELETE', `/api/users/${user.id}`), 404);
  });

  it('refuses bad input with a clear error, and anyone without the admin token', async () => {
    const bad = [
      [{ email: email('x'), password: PASSWORD, tenant: 'no such tenant' }, 400, 'unknown_tenant'],
      [{ email: 'alice@test.com', password: PASSWORD, tenant: 'Test Tenant 1' }, 409, 'already_registered'],
      [{ email: email('x'), password: 'short', tenant: 'Test Tenant 1' }, 400, undefined],
      [{ email: 'not-an-email', password: PASSWORD, tenant: 'Test Tenant 1' }, 400, undefined],
      [{ email: email('x'), password: PASSWORD, tenant: 'Test Tenant 1', role: 'root' }, 400, undefined],
    ] as const;
    for (const [body, status, code] of bad) {
      const res = await api('POST', '/api/users', body);
      expectCleanError(res, status);
      if (code) expect(res.json.error).toBe(code);
    }
    expectCleanError(await api('PATCH', `/api/users/${randomUUID()}`, { role: 'admin' }), 404);
    expectCleanError(await api('PATCH', `/api/users/${randomUUID()}`, {}), 400);
    expectCleanError(await api('PATCH', '/api/users/not-a-uuid', { role: 'admin' }), 400);
    expectCleanError(await call('GET', gateway('/api/users')), 401);
    expectCleanError(await call('GET', gateway('/api/users'), { token: await tokenFor('alice@test.com') }), 401);
  });
});

describe('/api/sql, the read-only console', () => {
  it('answers rows as the chosen user: RLS at work, each tenant its own; all tenants said to bypass isolation', async () => {
    const alice = await sql({ as: 'alice@test.com', sql: 'select tenant_id, name from products order by id' });
    expect(alice.status, alice.text).toBe(200);
    expect(alice.json).toMatchObject({ role: 'apprun_admin', bypassesIsolation: false, command: 'SELECT' });
    expect(alice.json.ranAs).toMatch(/alice@test.com \(tenant Test Tenant 1, role admin\)/);
    expect(alice.json.columns.map((c: { name: string }) => c.name)).toEqual(['tenant_id', 'name']);
    expect(alice.json.rows.length).toBeGreaterThan(0);
    expect(new Set(alice.json.rows.map((r: { tenant_id: string }) => r.tenant_id))).toEqual(new Set([T1]));
    const charlie = await sql({ as: 'charlie@test.com', sql: 'select tenant_id from products' });
    expect(new Set(charlie.json.rows.map((r: { tenant_id: string }) => r.tenant_id))).toEqual(new Set([T2]));
    const all = await sql({ allTenants: true, sql: 'select distinct tenant_id from products' });
    expect(all.json.bypassesIsolation).toBe(true);
    expect(all.json.rows.map((r: { tenant_id: string }) => r.tenant_id).sort()).toEqual(
      expect.arrayContaining([T1, T2]),
    );
  });

  it('refuses a write with nothing changed, and more than one statement', async () => {
    const db = adminDb();
    const count = async () => Number((await db.query('select count(*) from api.products')).rows[0].count);
    const before = await count();
    for (const statement of [
      "insert into products (name, price) values ('console write', 1)",
      'delete from products',
      'update products set price = 0',
    ]) {
      const res = await sql({ as: 'alice@test.com', sql: statement });
      expectCleanError(res, 400);
      expect(res.json.error).toBe('read_only');
      expect(res.json.message).toMatch(/read-only.*nothing was changed/);
    }
    expectCleanError(await sql({ allTenants: true, sql: 'delete from products' }), 400);
    const two = await sql({ as: 'alice@test.com', sql: 'select 1; delete from products' });
    expectCleanError(two, 400);
    expect(two.json.message).toMatch(/multiple commands/);
    expect(await count()).toBe(before);
    await db.end();
  });

  it('outlives a Postgres restart: its idle connections end without ending the core, the next statement answers', async () => {
    expect((await sql({ as: 'alice@test.com', sql: 'select 1 as one' })).status).toBe(200);
    const restarted = await api('POST', '/api/stack/postgres/restart');
    expect(restarted.json.state).toBe('healthy');
    const again = await sql({ as: 'alice@test.com', sql: 'select 1 as one' });
    expect(again.status, again.text).toBe(200);
    expect(again.json.rows).toEqual([{ one: 1 }]);
    expect((await call('GET', gateway('/healthz'))).status).toBe(200);
  }, 120_000);

  it('keeps a user to what their role may read, and says what went wrong', async () => {
    const denied = await sql({ as: 'bob@test.com', sql: 'select * from pg_authid' });
    expectCleanError(denied, 400);
    expect(denied.json).toMatchObject({ error: 'sql_error', sqlstate: '42501' });
    const typo = await sql({ as: 'bob@test.com', sql: 'selec 1' });
    expect(typo.json).toMatchObject({ error: 'sql_error', sqlstate: '42601', position: 1 });
    expectCleanError(await sql({ as: 'nobody@test.com', sql: 'select 1' }), 404);
    expectCleanError(await sql({ sql: 'select 1' }), 400);
    expectCleanError(await sql({ as: 'bob@test.com', allTenants: true, sql: 'select 1' }), 400);
    expectCleanError(await call('POST', gateway('/api/sql'), { body: { allTenants: true, sql: 'select 1' } }), 401);
  });
});
