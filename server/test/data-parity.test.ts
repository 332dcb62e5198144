import { PostgrestClient } from '@supabase/postgrest-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminDb, call, gateway, gatewayUrl, postgrest, T1, tokenFor } from './http.js';
import { READ_CASES, READ_FIXTURES, WRITE_CASES, WRITE_FIXTURES } from './parity/cases.js';
import { type AnyClient, observe, type ParityCase } from './parity/compare.js';

// The real @supabase/postgrest-js (pinned) runs every call through the gateway and straight at PostgREST with the
// same token; what the client sees must match, except where compare.ts lists a deliberate difference. Reads go
// through the gateway twice: on its fast lane (data/fast-lane.ts takes a read whose token it has verified before), and
// through Fastify's full path, which an Origin header (the gateway's own, so trusted) keeps them on.

const db = adminDb();
let doors: { gateway: AnyClient; direct: AnyClient };
let fullPath: AnyClient;

async function resetWriteFixtures(): Promise<void> {
  await db.query(
    `delete from api.products where tenant_id = $1 and name like 'parity-%' and name not in (select ` +
      `unnest($2::text[]))`,
    [T1, READ_FIXTURES.products.map((p) => p.name)],
  );
  for (const row of WRITE_FIXTURES) {
    await db.query('insert into api.products (tenant_id, name, price, tags) values ($1, $2, $3, $4)', [
      T1,
      row.name,
      row.price,
      row.tags,
    ]);
  }
  await db.query(`update api.products set price = 99.00 where name = 'Gizmo'`);
}

async function removeFixtures(): Promise<void> {
  await db.query(`delete from api.products where name like 'parity-%'`);
  await db.query(`delete from app_private.projects where name like 'parity-%'`);
}

beforeAll(async () => {
  await removeFixtures();
  for (const p of READ_FIXTURES.products)
    await db.query('insert into api.products (tenant_id, name, price, tags) values ($1, $2, $3, $4)', [
      T1,
      p.name,
      p.price,
      p.tags,
    ]);
  for (const p of READ_FIXTURES.projects)
    await db.query('insert into app_private.projects (tenant_id, name, owner_email) values ($1, $2, $3)', [
      T1,
      p.name,
      p.owner_email,
    ]);
  // Planned and estimated counts come from the planner's statistics: fresh ones, the same for both doors.
  await db.query('analyze api.products, app_private.projects, app_private.tenants, app_private.users');
  const headers = { Authorization: `Bearer ${await tokenFor('alice@test.com')}` };
  doors = {
    gateway: new PostgrestClient(gateway('/data'), { headers }),
    direct: new PostgrestClient(postgrest(''), { headers }),
  };
  fullPath = new PostgrestClient(gateway('/data'), { headers: { ...headers, Origin: gatewayUrl() } });
});

afterAll(async () => {
  await removeFixtures();
  await db.end();
});

async function both(testCase: ParityCase, clients = doors) {
  const writes = testCase.writes ?? false;
  if (writes) await resetWriteFixtures();
  const viaGateway = observe(await testCase.run(clients.gateway), { gateway: true, writes });
  if (writes) await resetWriteFixtures();
  const direct = observe(await testCase.run(clients.direct), { gateway: false, writes });
  return { viaGateway, direct };
}

describe('postgrest-js through /data behaves as it does directly at PostgREST', () => {
  it.each(READ_CASES.map((c) => [c.name, c] as const))('read: %s', async (_name, testCase) => {
    const { viaGateway, direct } = await both(testCase);
    expect(viaGateway).toEqual(direct);
    expect(observe(await testCase.run(fullPath), { gateway: true, writes: false })).toEqual(viaGateway);
  });

  it.each(WRITE_CASES.map((c) => [c.name, c] as const))('write: %s', async (_name, testCase) => {
    const { viaGateway, direct } = await both(testCase);
    expect(viaGateway).toEqual(direct);
  });

  it('schema selection: the exposed schema by name, and an unknown one refused the same way (406)', async () => {
    const headers = { Authorization: `Bearer ${await tokenFor('alice@test.com')}` };
    for (const schema of ['api', 'no_such_schema']) {
      const clients = {
        gateway: new PostgrestClient(gateway('/data'), { headers, schema }),
        direct: new PostgrestClient(postgrest(''), { headers, schema }),
      };
      const read = await both({ name: 'read', run: (c) => c.from('products').select('name').order('name') }, clients);
      expect(read.viaGateway).toEqual(read.direct);
      const write = await both(
        {
          name: 'write',
          writes: true,
          run: (c) => c.from('products').insert({ name: 'parity-profile', price: 1 }).select('name'),
        },
        clients,
      );
      expect(write.viaGateway).toEqual(write.direct);
      if (schema !== 'api') expect(read.viaGateway.status).toBe(406);
    }
  });

  it('a delete without a body succeeds through the gateway, Content-Type: application/json and all', async () => {
    await resetWriteFixtures();
    const res = await doors.gateway.from('products').delete().eq('name', 'parity-w-two').select('name');
    expect(res).toMatchObject({ status: 200, error: null, data: [{ name: 'parity-w-two' }] });
  });

  // What postgrest-js never sends but other PostgREST clients (curl, other SDKs) do, compared at the HTTP level.
  const RAW: {
    name: string;
    method: string;
    path: string;
    body?: string;
    headers?: Record<string, string>;
    writes?: boolean;
  }[] = [
    {
      name: 'malformed JSON',
      method: 'POST',
      path: '/products',
      body: '{"name":',
      headers: { 'content-type': 'application/json' },
      writes: true,
    },
    {
      name: 'an empty POST body',
      method: 'POST',
      path: '/products',
      body: '',
      headers: { 'content-type': 'application/json' },
      writes: true,
    },
    {
      name: 'a JSON body with no content type',
      method: 'POST',
      path: '/products',
      body: '{"name":"parity-raw","price":1}',
      headers: { prefer: 'return=representation' },
      writes: true,
    },
    {
      name: 'a CSV insert',
      method: 'POST',
      path: '/products?select=name,price',
      body: 'name,price\nparity-csv-1,1\nparity-csv-2,2',
      headers: { 'content-type': 'text/csv', prefer: 'return=representation' },
      writes: true,
    },
    {
      name: 'a form insert',
      method: 'POST',
      path: '/products?select=name',
      body: 'name=parity-form&price=3',
      headers: { 'content-type': 'application/x-www-form-urlencoded', prefer: 'return=representation' },
      writes: true,
    },
    {
      name: 'return=headers-only (Location)',
      method: 'POST',
      path: '/products',
      body: '{"name":"parity-loc","price":1}',
      headers: { 'content-type': 'application/json', prefer: 'return=headers-only' },
      writes: true,
    },
    {
      name: 'two Prefer headers at once',
      method: 'PATCH',
      path: '/products?name=eq.parity-w-one&select=name',
      body: '{"price":4}',
      headers: { 'content-type': 'application/json', prefer: 'return=representation, count=exact' },
      writes: true,
    },
    {
      name: 'Prefer handling=strict with an unknown preference',
      method: 'GET',
      path: '/products?select=name',
      headers: { prefer: 'handling=strict, nonsense=1' },
    },
    {
      name: 'PUT upsert by primary key',
      method: 'PUT',
      path: '/products?id=eq.900001',
      body: '{"id":900001,"name":"parity-put","price":2,"tags":[]}',
      headers: { 'content-type': 'application/json', prefer: 'return=representation' },
      writes: true,
    },
    {
      name: 'Range header with Range-Unit',
      method: 'GET',
      path: '/products?select=name&order=name',
      headers: { range: '1-2', 'range-unit': 'items' },
    },
    {
      name: 'a plain-text argument to an RPC',
      method: 'POST',
      path: '/rpc/product_count',
      body: 'x',
      headers: { 'content-type': 'text/plain' },
    },
    { name: 'a percent-encoded table name', method: 'GET', path: '/pro%64ucts?select=name&order=name' },
    { name: 'a malformed percent-encoding', method: 'GET', path: '/pro%zzducts?select=name' },
  ];

  it.each(RAW.map((r) => [r.name, r] as const))('raw HTTP: %s', async (_name, r) => {
    const token = await tokenFor('alice@test.com');
    const send = async (base: string, extraHeaders: Record<string, string> = {}) => {
      if (r.writes) await resetWriteFixtures();
      const headers = { ...r.headers, ...extraHeaders };
      const res = await call(r.method, `${base}${r.path}`, { token, body: r.body, headers });
      const json =
        res.json && typeof res.json === 'object' && !Array.isArray(res.json)
          ? { ...res.json, error: undefined }
          : res.json;
      const location =
        typeof res.headers.location === 'string'
          ? res.headers.location.replace(/^\/data/, '').replace(/id=eq\.\d+/, 'id=eq.<id>')
          : undefined;
      const masked = r.writes
        ? JSON.parse(
            JSON.stringify(json ?? null)
              .replace(/"id":\d+/g, '"id":0')
              .replace(/"created_at":"[^"]+"/g, '"created_at":"<masked>"'),
          )
        : json;
      return {
        status: res.status,
        json: masked,
        location,
        range: res.headers['content-range'],
        type: res.headers['content-type'],
      };
    };
    const viaGateway = await send(gateway('/data'));
    const direct = await send(postgrest(''));
    if (!r.writes) expect(await send(gateway('/data'), { origin: gatewayUrl() })).toEqual(viaGateway);
    if (r.name === 'a malformed percent-encoding') {
      // Deliberate: PostgREST looks for a table of that name (404); the gateway's router refuses the URL itself (400).
      expect(direct.status).toBe(404);
      expect(viaGateway).toMatchObject({ status: 400, json: { message: expect.any(String) } });
      return;
    }
    expect(viaGateway).toEqual(direct);
  });

  it('keeps the gateway’s own limits and guards: 413 over 1 MiB, and a CSV body may not name tenant_id', async () => {
    const token = await tokenFor('alice@test.com');
    const big = JSON.stringify([{ name: 'parity-big', price: 1, tags: ['x'.repeat(1024 * 1024)] }]);
    const tooLarge = await call('POST', gateway('/data/products'), { token, body: big });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.json.error).toBe('body_too_large');
    const csv = await call('POST', gateway('/data/products'), {
      token,
      body: `name,price,tenant_id\nparity-csv,1,${T1}`,
      headers: { 'content-type': 'text/csv' },
    });
    expect(csv.status).toBe(403);
    expect(csv.json).toMatchObject({ error: 'cross_tenant_write', code: '42501' });
    expect(
      (await db.query(`select 1 from api.products where name like 'parity-big%' or name = 'parity-csv'`)).rowCount,
    ).toBe(0);
  });
});
