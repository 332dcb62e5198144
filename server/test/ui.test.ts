import { describe, expect, it } from 'vitest';
import { call, expectCleanError, gateway, stack } from './http.js';

describe('web mode: /ui and the cookie it sets', () => {
  it('turns the token link into an HttpOnly SameSite=Strict cookie and a clean URL', async () => {
    const res = await call('GET', gateway(`/ui/?token=${stack().adminToken}`));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/ui/');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^apprun_admin=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
  });

  it('serves the dashboard with a strict CSP only to the cookie holder', async () => {
    const cookie = `apprun_admin=${stack().adminToken}`;
    const page = await call('GET', gateway('/ui/'), { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<div id="root">');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expectCleanError(await call('GET', gateway('/ui/')), 401);
    expectCleanError(await call('GET', gateway('/ui/?token=guess')), 401);
  });

  it('lets the cookie read the control API, but writes also need the UI header (CSRF)', async () => {
    const cookie = `apprun_admin=${stack().adminToken}`;
    expect((await call('GET', gateway('/api/stack'), { headers: { cookie } })).status).toBe(200);
    expectCleanError(
      await call('PUT', gateway('/api/settings'), { headers: { cookie }, body: { driver: 'native' } }),
      403,
    );
    const saved = await call('PUT', gateway('/api/settings'), {
      headers: { cookie, 'x-apprun-ui': '1' },
      body: { driver: 'auto', images: { minio: 'local/minio:dev' } },
    });
    expect(saved.status).toBe(200);
    expect(saved.json).toMatchObject({ driver: 'auto', images: { minio: 'local/minio:dev' }, home: stack().home });
  });

  it('validates settings', async () => {
    const headers = { 'x-apprun-admin-token': stack().adminToken };
    for (const body of [
      { portBase: 80 },
      { driver: 'kubernetes' },
      { images: { minio: 'bad image name' } },
      { images: { nope: 'x' } },
      { unknown: 1 },
    ]) {
      expectCleanError(await call('PUT', gateway('/api/settings'), { headers, body }), 400);
    }
  });

  it('refuses an image name the engine would not accept, naming service and image, and keeps the saved ones', async () => {
    const headers = { 'x-apprun-admin-token': stack().adminToken };
    const before = (await call('GET', gateway('/api/settings'), { headers })).json;
    expect(before.defaultImages).toMatchObject({
      postgres: 'postgres:15.18-bookworm',
      postgrest: 'postgrest/postgrest:v12.0.2',
    });
    for (const [image, says] of [
      ['Postgres:15', 'the image set for postgres ("Postgres:15") is not an image reference'],
      ['postgres::15', 'is not an image reference'],
      ['postgres:15@sha256:xyz', 'is not an image reference'],
    ]) {
      const res = await call('PUT', gateway('/api/settings'), { headers, body: { images: { postgres: image } } });
      expectCleanError(res, 400);
      expect(res.json.message).toContain(says);
    }
    expect((await call('GET', gateway('/api/settings'), { headers })).json.images).toEqual(before.images);
    // Saving without an override clears it.
    const cleared = await call('PUT', gateway('/api/settings'), { headers, body: { images: {} } });
    expect(cleared.json.images).toEqual({});
  });

  it('saves allowed hosts normalized for the next start, and refuses bad ones by name', async () => {
    const headers = { 'x-apprun-admin-token': stack().adminToken };
    const saved = await call('PUT', gateway('/api/settings'), {
      headers,
      body: { allowedHosts: ['Proxy.Example', 'dev.example:8443'] },
    });
    expect(saved.status).toBe(200);
    expect(saved.json).toMatchObject({ allowedHosts: ['proxy.example', 'dev.example:8443'], allowedHostsNow: [] });
    for (const [allowedHosts, says] of [
      [['*.example.com'], 'wildcards are not accepted'],
      [['proxy.example:99999'], '"proxy.example:99999" is not a host name'],
      [['http://proxy.example'], 'must match pattern'],
      [Array.from({ length: 17 }, (_, i) => `h${i}.example`), 'must NOT have more than 16 items'],
      [[42], '"42" is not a host name'],
    ] as const) {
      const res = await call('PUT', gateway('/api/settings'), { headers, body: { allowedHosts } });
      expectCleanError(res, 400);
      expect(res.json.message).toContain(says);
    }
    expect(
      (await call('PUT', gateway('/api/settings'), { headers, body: { allowedHosts: [] } })).json.allowedHosts,
    ).toEqual([]);
  });
});
