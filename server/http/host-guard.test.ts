import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installErrorHandling } from '../errors.js';
import hostGuard from './host-guard.js';
import { HostPolicy } from './host-policy.js';

describe('host guard', () => {
  const app = Fastify();
  beforeAll(async () => {
    installErrorHandling(app);
    await app.register(hostGuard, { policy: new HostPolicy(8080, ['proxy.example']) });
    app.all('/probe', async (request) => ({ crossSite: request.crossSite }));
  });
  afterAll(() => app.close());
  const send = (method: 'GET' | 'POST', headers: Record<string, string>) =>
    app.inject({ method, url: '/probe', headers: { host: 'localhost:8080', ...headers } });

  it('answers a foreign Host with 421, on routes and 404s alike, and lets allowed names in', async () => {
    for (const url of ['/probe', '/nope']) {
      const res = await app.inject({ method: 'GET', url, headers: { host: 'evil.example' } });
      expect(res.statusCode).toBe(421);
      expect(res.json()).toMatchObject({
        error: 'misdirected_request',
        message: expect.stringContaining('"evil.example"'),
      });
      expect(res.json().message).toContain('allowedHosts');
    }
    expect((await app.inject({ method: 'GET', url: '/probe', headers: { host: 'proxy.example' } })).statusCode).toBe(
      200,
    );
  });

  it('refuses cross-site writes; the Origin, when sent, decides over Sec-Fetch-Site', async () => {
    const refused = await send('POST', { origin: 'http://evil.example' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({
      error: 'cross_origin_refused',
      message: expect.stringContaining('Origin "http://evil.example"'),
    });
    expect((await send('POST', { origin: 'null' })).statusCode).toBe(403);
    expect((await send('POST', { 'sec-fetch-site': 'cross-site' })).statusCode).toBe(403);
    expect((await send('POST', { 'sec-fetch-site': 'bogus' })).statusCode).toBe(403);
    // localhost:5173 calling 127.0.0.1:8080 is cross-site to the browser, and still a local dev app.
    expect((await send('POST', { origin: 'http://localhost:5173', 'sec-fetch-site': 'cross-site' })).json()).toEqual({
      crossSite: false,
    });
    expect((await send('POST', { origin: 'https://proxy.example' })).json()).toEqual({ crossSite: false });
    expect((await send('POST', { 'sec-fetch-site': 'same-origin' })).json()).toEqual({ crossSite: false });
    expect((await send('POST', {})).json()).toEqual({ crossSite: false });
  });

  it('leaves reads alone but marks them cross-site for the cookie-authenticated routes', async () => {
    expect((await send('GET', { origin: 'http://evil.example' })).json()).toEqual({ crossSite: true });
    expect((await send('GET', { 'sec-fetch-site': 'cross-site' })).json()).toEqual({ crossSite: true });
    expect((await send('GET', { 'sec-fetch-site': 'none' })).json()).toEqual({ crossSite: false });
  });
});
