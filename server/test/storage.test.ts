import { Readable } from 'node:stream';
import { Client, request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { call, expectCleanError, gateway, type Reply, stack, tokenFor } from './http.js';

const put = (token: string, key: string, body: string | Buffer, type = 'text/plain') =>
  call('PUT', gateway(`/storage/${key}`), { token, body: body as string, headers: { 'content-type': type } });

// Raw paths: a URL parser would resolve "." and ".." before the gateway ever saw them.
const raw = new Client(stack().gatewayUrl);
afterAll(() => raw.close());
async function rawPut(token: string, path: string): Promise<Reply> {
  const res = await raw.request({
    method: 'PUT',
    path,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
    body: 'x',
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: JSON.parse(text) };
}

describe('tenant-scoped object storage (real MinIO)', () => {
  it('round-trips an object with its content type, replaces it, lists by prefix and deletes', async () => {
    const alice = await tokenFor('alice@test.com');
    const created = await put(alice, 'reports/2026/q1.csv', 'a,b\n1,2\n', 'text/csv');
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ key: 'reports/2026/q1.csv', size: 8, contentType: 'text/csv' });
    const read = await call('GET', gateway('/storage/reports/2026/q1.csv'), { token: alice });
    expect([read.status, read.headers['content-type'], read.text]).toEqual([200, 'text/csv', 'a,b\n1,2\n']);
    const head = await call('HEAD', gateway('/storage/reports/2026/q1.csv'), { token: await tokenFor('bob@test.com') });
    expect([head.status, head.headers['content-length'], head.text]).toEqual([200, '8', '']);
    expect((await put(alice, 'reports/2026/q1.csv', 'a,b\n3,4\n', 'text/csv')).status).toBe(200);
    expect((await call('GET', gateway('/storage/reports/2026/q1.csv'), { token: alice })).text).toBe('a,b\n3,4\n');
    await put(alice, 'reports/2026/q2.csv', 'x', 'text/csv');
    await put(alice, 'notes.txt', 'n');
    const listed = await call('GET', gateway('/storage?prefix=reports/'), { token: alice });
    expect(listed.json.objects.map((o: { key: string }) => o.key).sort()).toEqual([
      'reports/2026/q1.csv',
      'reports/2026/q2.csv',
    ]);
    expect((await call('DELETE', gateway('/storage/reports/2026/q2.csv'), { token: alice })).status).toBe(204);
    expectCleanError(await call('GET', gateway('/storage/reports/2026/q2.csv'), { token: alice }), 404);
    expectCleanError(await call('DELETE', gateway('/storage/reports/2026/q2.csv'), { token: alice }), 404);
  });

  it('a tenant can never read, list, delete or overwrite another tenant’s objects', async () => {
    const [alice, charlie] = [await tokenFor('alice@test.com'), await tokenFor('charlie@test.com')];
    await put(alice, 'secret/plan.txt', 'tenant 1 only');
    expectCleanError(await call('GET', gateway('/storage/secret/plan.txt'), { token: charlie }), 404);
    expectCleanError(await call('GET', gateway('/storage/secret/plan.txt?presign=60'), { token: charlie }), 404);
    expectCleanError(await call('DELETE', gateway('/storage/secret/plan.txt'), { token: charlie }), 404);
    const listing = await call('GET', gateway('/storage?prefix='), { token: charlie });
    expect(listing.json.objects.map((o: { key: string }) => o.key)).not.toContain('secret/plan.txt');
    // the same key in another tenant is another object
    expect((await put(charlie, 'secret/plan.txt', 'tenant 2 writes')).status).toBe(201);
    expect((await call('GET', gateway('/storage/secret/plan.txt'), { token: alice })).text).toBe('tenant 1 only');
    // keys cannot climb into another tenant's prefix
    const climb = await rawPut(charlie, '/storage/../00000000-0000-4000-8000-000000000001/secret/plan.txt');
    expectCleanError(climb, 400);
    expect((await call('GET', gateway('/storage/secret/plan.txt'), { token: alice })).text).toBe('tenant 1 only');
  });

  it('presigned GET URLs read the object from MinIO on 127.0.0.1 until they expire', async () => {
    const alice = await tokenFor('alice@test.com');
    await put(alice, 'share/hello.txt', 'shared', 'text/plain');
    // Long enough that the first read is inside the window on any machine; the wait below goes by the clock.
    const presigned = await call('GET', gateway('/storage/share/hello.txt?presign=3'), { token: alice });
    expect(presigned.status).toBe(200);
    expect(new URL(presigned.json.url).hostname).toBe('127.0.0.1');
    const fetched = await request(presigned.json.url);
    expect([fetched.statusCode, await fetched.body.text()]).toEqual([200, 'shared']);
    const expiresAt = Date.parse(presigned.json.expiresAt);
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now()) + 1100));
    const expired = await request(presigned.json.url);
    await expired.body.dump();
    expect(expired.statusCode).toBe(403);
  });

  it('while MinIO is down: a clear 503, and the objects are there again once it is back', async () => {
    const alice = await tokenFor('alice@test.com');
    await put(alice, 'durable.txt', 'still here');
    const admin = { headers: { 'x-apprun-admin-token': stack().adminToken } };
    expect((await call('POST', gateway('/api/stack/minio/stop'), admin)).json.state).toBe('stopped');
    try {
      for (const res of [
        await call('GET', gateway('/storage/durable.txt'), { token: alice }),
        await put(alice, 'new.txt', 'x'),
        await call('GET', gateway('/storage'), { token: alice }),
      ]) {
        expectCleanError(res, 503);
        expect(res.json.error).toBe('storage_unavailable');
      }
    } finally {
      await call('POST', gateway('/api/stack/minio/start'), admin);
    }
    const deadline = Date.now() + 30_000;
    let back = await call('GET', gateway('/storage/durable.txt'), { token: alice });
    while (back.status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      back = await call('GET', gateway('/storage/durable.txt'), { token: alice });
    }
    expect(back.text).toBe('still here');
  }, 90_000);

  it('refuses bad keys, oversized objects and what RBAC does not allow, with clear errors', async () => {
    const [alice, bob] = [await tokenFor('alice@test.com'), await tokenFor('bob@test.com')];
    for (const path of [
      '/storage/a//b',
      '/storage/a/../b',
      '/storage/./a',
      '/storage/a/',
      '/storage/a%5Cb',
      '/storage/a%00b',
      `/storage/${'k'.repeat(600)}`,
    ]) {
      const res = await rawPut(alice, path);
      expectCleanError(res, 400);
      expect(res.json.error).toBe('invalid_key');
    }
    expectCleanError(await call('GET', gateway('/storage?prefix=../'), { token: alice }), 400);
    expectCleanError(await call('GET', gateway('/storage/share/hello.txt?presign=99999'), { token: alice }), 400);
    const big = await put(alice, 'big.bin', Buffer.alloc(11 * 1024 * 1024), 'application/octet-stream');
    expectCleanError(big, 413);
    expect(big.json).toMatchObject({ error: 'object_too_large', max_bytes: 10 * 1024 * 1024 });
    // chunked, so the size is only known while reading
    const chunked = await request(gateway('/storage/big.bin'), {
      method: 'PUT',
      headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/octet-stream' },
      body: Readable.from(
        (function* () {
          for (let i = 0; i < 12; i++) yield Buffer.alloc(1024 * 1024);
        })(),
      ),
    });
    expect([chunked.statusCode, ((await chunked.body.json()) as { error: string }).error]).toEqual([
      413,
      'object_too_large',
    ]);
    expectCleanError(await call('GET', gateway('/storage/big.bin'), { token: alice }), 404);
    // users read and write; only admins delete
    expect((await put(bob, 'bob.txt', 'b')).status).toBe(201);
    const denied = await call('DELETE', gateway('/storage/bob.txt'), { token: bob });
    expectCleanError(denied, 403);
    expect(denied.json.missing_rule).toMatch(/\/storage\/\*, DELETE$/);
    expectCleanError(await call('GET', gateway('/storage')), 401);
  });
});
