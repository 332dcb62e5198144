import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DEV_PASSWORD } from '../settings.js';
import { adminDb, call, expectCleanError, gateway, type Reply, stack, tokenFor, wasmModule } from './http.js';

const port = Number(new URL(stack().gatewayUrl).port);
const cookie = () => `apprun_admin=${stack().adminToken}`;
const admin = () => ({ 'x-apprun-admin-token': stack().adminToken });
const loginBody = { email: 'alice@test.com', password: DEFAULT_DEV_PASSWORD };
const EVIL = 'http://evil.example';
type Headers = Record<string, string>;

/** One request per route family, and the status it gets with a loopback Host and the right credentials. */
const families = (token: string) =>
  [
    ['/healthz', 'GET', '/healthz', {}, undefined, 200],
    ['/auth', 'POST', '/auth/login', {}, loginBody, 200],
    ['/data', 'GET', '/data/products?select=name&limit=1', { authorization: `Bearer ${token}` }, undefined, 200],
    ['/functions', 'GET', '/functions', { authorization: `Bearer ${token}` }, undefined, 200],
    ['/workflows', 'GET', '/workflows', { authorization: `Bearer ${token}` }, undefined, 200],
    ['/storage', 'GET', '/storage?prefix=host-origin/', { authorization: `Bearer ${token}` }, undefined, 200],
    ['/api', 'GET', '/api/stack', admin(), undefined, 200],
    ['/ui', 'GET', '/ui/', { cookie: cookie() }, undefined, 200],
    ['/.well-known', 'GET', '/.well-known/jwks.json', {}, undefined, 200],
    ['404', 'GET', '/no-such-route', {}, undefined, 404],
  ] as const;

/** A request with no Host header at all: HTTP/1.0 allows it, undici does not, so over a raw socket. */
function withoutHost(path: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.0\r\n\r\n`));
    let data = '';
    socket.on('data', (chunk) => (data += chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const [head = '', text = ''] = data.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), headers: {}, text, json: JSON.parse(text) });
    });
  });
}

let alice: string;
beforeAll(async () => {
  alice = await tokenFor('alice@test.com');
});

describe('DNS rebinding: every route answers only to a loopback Host on its port', () => {
  it.each(families(''))('%s refuses a foreign or missing Host with a clean 421', async (_family, method, path) => {
    for (const host of [
      'evil.example',
      `evil.example:${port}`,
      `127.0.0.1:${port + 1}`,
      `localhost`,
      'garbage!!',
      `localhost.:${port}`,
    ]) {
      const res = await call(method, gateway(path), { headers: { host, ...admin(), cookie: cookie() } });
      expectCleanError(res, 421);
      expect(res.json.error).toBe('misdirected_request');
      expect(res.json.message).toContain('allowedHosts');
    }
    const bare = await withoutHost(path);
    expectCleanError(bare, 421);
    expect(bare.json.message).toContain('not Host (none)');
  });

  it('names the Host it received and how to allow one', async () => {
    const res = await call('GET', gateway('/healthz'), { headers: { host: 'evil.example' } });
    expect(res.json.message).toMatch(
      /not Host "evil\.example".*"allowedHosts" in APPRUN_HOME\/settings\.json or APPRUN_ALLOWED_HOSTS/,
    );
  });

  it.each(families(''))(
    '%s works with Host localhost, 127.0.0.1 and [::1] on the gateway port',
    async (_family, method, path, headers, body, status) => {
      const withToken = { ...headers, ...('authorization' in headers ? { authorization: `Bearer ${alice}` } : {}) };
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `App.LocalHost:${port}`]) {
        const res = await call(method, gateway(path), { headers: { ...withToken, host }, body });
        expect(res.status, `${host}: ${res.text.slice(0, 200)}`).toBe(status);
      }
    },
  );
});

describe('cross-site writes are refused, whatever they authenticate with', () => {
  const db = adminDb();
  afterAll(async () => {
    await db.query(`delete from api.products where name like 'host-origin-%'`);
    await db.end();
  });
  const productCount = async (name: string) =>
    (await db.query('select 1 from api.products where name = $1', [name])).rowCount;

  it('login, data, workflows and storage writes from another site get 403 and change nothing', async () => {
    for (const refusal of [{ origin: EVIL }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }] as Headers[]) {
      const login = await call('POST', gateway('/auth/login'), { headers: refusal, body: loginBody });
      expectCleanError(login, 403);
      expect(login.json.error).toBe('cross_origin_refused');
      expect(login.json.access_token).toBeUndefined();

      expectCleanError(
        await call('POST', gateway('/data/products'), {
          token: alice,
          headers: refusal,
          body: { name: 'host-origin-evil', price: 1 },
        }),
        403,
      );
      expectCleanError(
        await call('PATCH', gateway('/data/products?name=eq.Widget'), {
          token: alice,
          headers: refusal,
          body: { price: 0 },
        }),
        403,
      );
      expectCleanError(
        await call('PUT', gateway('/storage/host-origin/evil.txt'), {
          token: alice,
          headers: { ...refusal, 'content-type': 'text/plain' },
          body: 'x',
        }),
        403,
      );
      expectCleanError(
        await call('POST', gateway('/workflows/registration'), {
          token: alice,
          headers: refusal,
          body: { email: 'host-origin@test.com' },
        }),
        403,
      );
    }
    expect(await productCount('host-origin-evil')).toBe(0);
    expectCleanError(await call('GET', gateway('/storage/host-origin/evil.txt'), { token: alice }), 404);
    const workflows = await call('GET', gateway('/workflows'), { token: alice });
    expect(JSON.stringify(workflows.json)).not.toContain('host-origin@test.com');
  });

  it('a function deploy from another site is refused before its upload is read', async () => {
    const form = new FormData();
    form.append('name', 'host-origin-evil');
    form.append('module', new Blob([new Uint8Array(wasmModule('hello'))], { type: 'application/wasm' }), 'hello.wasm');
    // Node's fetch, for its FormData; unlike a browser's it lets a test set Origin.
    const res = await fetch(gateway('/functions'), {
      method: 'POST',
      headers: { authorization: `Bearer ${alice}`, origin: EVIL },
      body: form,
    });
    const text = await res.text();
    const reply: Reply = { status: res.status, headers: {}, text, json: JSON.parse(text) };
    expectCleanError(reply, 403);
    expect(reply.json.error).toBe('cross_origin_refused');
    expect((await call('GET', gateway('/functions/host-origin-evil'), { token: alice })).status).toBe(404);
  });

  it('a stack control call from another site is refused with the admin header or the cookie', async () => {
    const minio = async () =>
      (await call('GET', gateway('/api/stack'), { headers: admin() })).json.services.find(
        (s: { name: string }) => s.name === 'minio',
      );
    const before = await minio();
    for (const headers of [
      { ...admin(), origin: EVIL },
      { cookie: cookie(), 'x-apprun-ui': '1', origin: EVIL },
      { cookie: cookie(), 'x-apprun-ui': '1', 'sec-fetch-site': 'cross-site' },
    ] as Headers[]) {
      const res = await call('POST', gateway('/api/stack/minio/restart'), { headers });
      expectCleanError(res, 403);
      expect(res.json.error).toBe('cross_origin_refused');
    }
    expectCleanError(
      await call('PUT', gateway('/api/settings'), {
        headers: { ...admin(), origin: EVIL },
        body: { allowedHosts: ['evil.example'] },
      }),
      403,
    );
    const after = await minio();
    expect([after.pid, after.restarts, after.startedAt]).toEqual([before.pid, before.restarts, before.startedAt]);
  });

  it('a local dev app (http://localhost:5173) may write; so may same-site fetches', async () => {
    const local = { origin: 'http://localhost:5173', 'sec-fetch-site': 'cross-site' };
    const login = await call('POST', gateway('/auth/login'), { headers: local, body: loginBody });
    expect(login.status).toBe(200);
    expect(typeof login.json.access_token).toBe('string');
    expect(
      (
        await call('POST', gateway('/data/products'), {
          token: alice,
          headers: local,
          body: { name: 'host-origin-local', price: 1 },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await call('POST', gateway('/data/products'), {
          token: alice,
          headers: { origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin' },
          body: { name: 'host-origin-same', price: 1 },
        })
      ).status,
    ).toBe(201);
    expect(await productCount('host-origin-local')).toBe(1);
    expect(await productCount('host-origin-same')).toBe(1);
  });
});

describe('reads are left alone, except with the dashboard cookie', () => {
  it('a token-authenticated read from another site is served (it changes nothing)', async () => {
    expect(
      (await call('GET', gateway('/data/products?select=name&limit=1'), { token: alice, headers: { origin: EVIL } }))
        .status,
    ).toBe(200);
    expect((await call('GET', gateway('/api/stack'), { headers: { ...admin(), origin: EVIL } })).status).toBe(200);
  });

  it('the admin cookie is refused on a cross-site read of /api and /ui', async () => {
    for (const path of ['/api/stack', '/api/settings', '/ui/']) {
      for (const refusal of [{ origin: EVIL }, { 'sec-fetch-site': 'cross-site' }] as Headers[]) {
        const res = await call('GET', gateway(path), { headers: { cookie: cookie(), ...refusal } });
        expectCleanError(res, 403);
        expect(res.json.error).toBe('cross_origin_refused');
      }
    }
  });

  it('the admin cookie still reads from a loopback page', async () => {
    for (const headers of [
      { origin: 'http://localhost:5173' },
      { 'sec-fetch-site': 'same-origin' },
      { 'sec-fetch-site': 'none' },
    ] as Headers[]) {
      expect((await call('GET', gateway('/api/stack'), { headers: { cookie: cookie(), ...headers } })).status).toBe(
        200,
      );
      expect((await call('GET', gateway('/ui/'), { headers: { cookie: cookie(), ...headers } })).status).toBe(200);
    }
  });
});
