import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminDb, call, gateway, postgrest, type Reply, T1, T2, tokenFor } from './http.js';

let db: pg.Pool;
let alice: string;
let charlie: string;
let gizmoId: number;
let widgetId: number;

/** Tenant 2's rows as the database really holds them (superuser view, no RLS). */
async function tenant2Snapshot(): Promise<string> {
  const { rows } = await db.query(
    'select id, tenant_id, name, price::text from api.products where tenant_id = $1 order by id',
    [T2],
  );
  const tenants = await db.query('select id, name, plan from app_private.tenants order by id');
  const users = await db.query('select id, tenant_id, email, role from app_private.users order by id');
  const outbox = await db.query(
    'select id, to_email, subject, body from app_private.outbox where tenant_id = $1 order by id',
    [T2],
  );
  const projects = await db.query('select id, name from app_private.projects where tenant_id = $1 order by id', [T2]);
  return JSON.stringify({
    products: rows,
    tenants: tenants.rows,
    users: users.rows,
    outbox: outbox.rows,
    projects: projects.rows,
  });
}

beforeAll(async () => {
  db = adminDb();
  [alice, charlie] = await Promise.all([tokenFor('alice@test.com'), tokenFor('charlie@test.com')]);
  gizmoId = (await db.query(`select id from api.products where name = 'Gizmo'`)).rows[0].id;
  widgetId = (await db.query(`select id from api.products where name = 'Widget'`)).rows[0].id;
  // Tenant 2 workflow effects to attack: an email in the outbox and a project.
  await db.query(
    `insert into app_private.outbox (tenant_id, to_email, subject, body, workflow_id) values ($1, 'charlie@test.com', ` +
      `'Gizmo news', 'for tenant 2', 'isolation-fixture') on conflict do nothing`,
    [T2],
  );
  await db.query(
    `insert into app_private.projects (tenant_id, name, created_by_workflow) values ($1, 'Gizmo project', ` +
      `'isolation-fixture') on conflict do nothing`,
    [T2],
  );
});
afterAll(() => db.end());

describe('each seeded user sees exactly its tenant', () => {
  it.each([
    ['alice@test.com', ['Gadget', 'Widget']],
    ['bob@test.com', ['Gadget', 'Widget']],
    ['charlie@test.com', ['Gizmo']],
  ])('%s', async (email, expected) => {
    const token = await tokenFor(email);
    for (const url of [gateway('/data/products?order=name'), postgrest('/products?order=name')]) {
      const res = await call('GET', url, { token });
      expect(res.status).toBe(200);
      expect(res.json.map((p: { name: string }) => p.name)).toEqual(expected);
    }
    const tenants = await call('GET', gateway('/data/tenants'), { token });
    expect(tenants.json).toHaveLength(1);
  });
});

/** Passes when the attack got nothing: an error status, or a success that carries no tenant-2 data. */
function blocked(res: Reply): void {
  const leaked =
    res.text.includes(T2) ||
    res.text.includes('Gizmo') ||
    res.text.includes('charlie@test.com') ||
    res.text.includes('Test Tenant 2');
  expect(leaked, `tenant 2 data leaked: ${res.status} ${res.text}`).toBe(false);
  expect(res.status, `unexpected ${res.status}: ${res.text}`).toBeLessThan(500);
}

type Attack = [name: string, run: () => Promise<Reply>, extra?: (res: Reply) => void];

const via = (base: 'gateway' | 'postgrest', p: string) => (base === 'gateway' ? gateway(`/data${p}`) : postgrest(p));
const bothDoors = (
  name: string,
  method: string,
  p: string,
  body?: unknown,
  headers?: Record<string, string>,
  extra?: (res: Reply) => void,
): Attack[] =>
  (['gateway', 'postgrest'] as const).map((door) => [
    `${name} (${door})`,
    () => call(method, via(door, p), { token: alice, body, headers }),
    extra,
  ]);

const attacks = (): Attack[] => [
  ...bothDoors('filter on the other tenant_id', 'GET', `/products?tenant_id=eq.${T2}`, undefined, undefined, (r) =>
    expect(r.json).toEqual([]),
  ),
  ...bothDoors('or= trick', 'GET', `/products?or=(tenant_id.eq.${T2},id.gt.0)`),
  ...bothDoors('read a foreign row by id', 'GET', `/products?id=eq.${gizmoId}`, undefined, undefined, (r) =>
    expect(r.json).toEqual([]),
  ),
  ...bothDoors('list tenants', 'GET', '/tenants'),
  ...bothDoors('read the other tenant by id', 'GET', `/tenants?id=eq.${T2}`),
  ...bothDoors('list users', 'GET', '/users'),
  ...bothDoors('look up a foreign user by email', 'GET', '/users?email=eq.charlie@test.com'),
  ...bothDoors('embed tenants into products', 'GET', '/products?select=*,tenants(*)'),
  ...bothDoors('embed products into tenants', 'GET', '/tenants?select=*,products(*)'),
  ...bothDoors('nested embedding users→tenants→products', 'GET', '/users?select=*,tenants(*,products(*))'),
  ...bothDoors('exact count leaks nothing', 'GET', '/products', undefined, { prefer: 'count=exact' }, (r) =>
    expect(r.headers['content-range']).toMatch(/\/2$/),
  ),
  ...bothDoors('CSV export', 'GET', '/products', undefined, { accept: 'text/csv' }),
  ...bothDoors('RPC counts only the own tenant', 'POST', '/rpc/product_count', {}, undefined, (r) =>
    expect(r.json).toBe(2),
  ),
  ...bothDoors('RPC into the private schema', 'POST', '/rpc/current_tenant', {}, undefined, (r) =>
    expect(r.status).toBe(404),
  ),
  ...bothDoors('PATCH a foreign row by id', 'PATCH', `/products?id=eq.${gizmoId}`, { price: 0 }),
  ...bothDoors('PATCH every row of the other tenant', 'PATCH', `/products?tenant_id=eq.${T2}`, { name: 'pwned' }),
  ...bothDoors('DELETE a foreign row by id', 'DELETE', `/products?id=eq.${gizmoId}`),
  ...bothDoors('DELETE every row of the other tenant', 'DELETE', `/products?tenant_id=eq.${T2}`),
  ...bothDoors(
    'INSERT with a foreign tenant_id',
    'POST',
    '/products',
    { tenant_id: T2, name: 'evil', price: 1 },
    undefined,
    (r) => expect(r.status).toBe(403),
  ),
  ...bothDoors(
    'bulk INSERT hiding one foreign row',
    'POST',
    '/products',
    [
      { tenant_id: T1, name: 'ok-row', price: 1 },
      { tenant_id: T2, name: 'evil2', price: 1 },
    ],
    undefined,
    (r) => expect(r.status).toBe(403),
  ),
  ...bothDoors(
    'upsert onto a foreign row by id',
    'POST',
    '/products?on_conflict=id',
    { id: gizmoId, name: 'pwned', price: 1 },
    { prefer: 'resolution=merge-duplicates' },
    (r) => expect(r.status).toBeGreaterThanOrEqual(400),
  ),
  ...bothDoors(
    'move an own row into the other tenant',
    'PATCH',
    `/products?id=eq.${widgetId}`,
    { tenant_id: T2 },
    undefined,
    (r) => expect(r.status).toBe(403),
  ),
  ...bothDoors('read the other tenant’s outbox', 'GET', `/outbox?tenant_id=eq.${T2}`, undefined, undefined, (r) =>
    expect(r.json).toEqual([]),
  ),
  ...bothDoors(
    'write into an outbox',
    'POST',
    '/outbox',
    { tenant_id: T2, to_email: 'x@y.z', subject: 's', body: 'b', workflow_id: 'evil' },
    undefined,
    (r) => expect(r.status).toBeGreaterThanOrEqual(400),
  ),
  ...bothDoors('rename the other tenant’s projects', 'PATCH', `/projects?tenant_id=eq.${T2}`, { name: 'pwned' }),
  ...bothDoors('delete the other tenant’s projects', 'DELETE', `/projects?tenant_id=eq.${T2}`),
  ...bothDoors(
    'create a project in the other tenant',
    'POST',
    '/projects',
    { tenant_id: T2, name: 'evil project' },
    undefined,
    (r) => expect(r.status).toBe(403),
  ),
  [
    'anonymous read through PostgREST directly',
    () => call('GET', postgrest('/products')),
    (r) => expect(r.status).toBe(401),
  ],
  [
    'anonymous read through the gateway',
    () => call('GET', gateway('/data/products')),
    (r) => expect(r.status).toBe(401),
  ],
  [
    'tenant 2 admin reads tenant 1',
    () => call('GET', gateway(`/data/products?tenant_id=eq.${T1}`), { token: charlie }),
    (r) => {
      expect(r.json).toEqual([]);
    },
  ],
  [
    'path traversal out of /data',
    () => call('GET', gateway('/data/..%2F..%2Fapi%2Fstack'), { token: alice }),
    (r) => expect(r.status).toBe(404),
  ],
];

describe('cross-tenant attack matrix (alice, tenant 1, against tenant 2)', () => {
  it('has at least 20 cases', () => {
    expect(attacks().length).toBeGreaterThanOrEqual(20);
  });

  it('blocks every case, and tenant 2 is unchanged afterwards', async () => {
    const before = await tenant2Snapshot();
    const failures: string[] = [];
    for (const [name, run, extra] of attacks()) {
      const res = await run();
      try {
        blocked(res);
        extra?.(res);
      } catch (err) {
        failures.push(`${name}: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await tenant2Snapshot()).toBe(before);
    // Tenant 1's own writes that slipped into a bulk request must not exist either.
    expect(
      (await db.query(`select count(*)::int as n from api.products where name in ('ok-row', 'evil', 'evil2')`)).rows[0]
        .n,
    ).toBe(0);
  });
});

describe('own-tenant writes work through the gateway', () => {
  it('inserts with the tenant filled in by the database, updates and deletes', async () => {
    const created = await call('POST', gateway('/data/products'), {
      token: alice,
      body: { name: 'Sprocket', price: 3.5 },
      headers: { prefer: 'return=representation' },
    });
    expect(created.status).toBe(201);
    expect(created.json[0].tenant_id).toBe(T1);
    const id = created.json[0].id;
    const patched = await call('PATCH', gateway(`/data/products?id=eq.${id}`), {
      token: alice,
      body: { price: 4 },
      headers: { prefer: 'return=representation' },
    });
    expect(patched.json[0].price).toBe(4);
    const deleted = await call('DELETE', gateway(`/data/products?id=eq.${id}`), {
      token: alice,
      headers: { prefer: 'return=representation' },
    });
    expect(deleted.json).toHaveLength(1);
  });

  it('a tenant user (bob) may not delete, in the database itself', async () => {
    const bob = await tokenFor('bob@test.com');
    for (const url of [gateway(`/data/products?id=eq.${widgetId}`), postgrest(`/products?id=eq.${widgetId}`)]) {
      const res = await call('DELETE', url, { token: bob });
      expect(res.status).toBe(403);
    }
    expect((await db.query('select 1 from api.products where id = $1', [widgetId])).rowCount).toBe(1);
  });
});
