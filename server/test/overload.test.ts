import { describe, expect, it } from 'vitest';
import { load } from '../load/closed-loop.js';
import { runLoad, type StreamResult } from '../load/load-runner.js';
import { call, coreRssBytes, expectCleanError, gateway, type Reply, stack, T1, T2, tokenFor } from './http.js';

// One tenant floods the real gateway at about twice what it can serve, from separate processes on loopback (bounded
// in time and count), while another tenant reads slowly and /healthz is probed: what the stress day broke.
// No speed is asserted here (bench:overload measures); only that everyone is answered and nothing else fails.

const FLOOD_SECONDS = 8;
const MiB = 2 ** 20;

const statuses = (r: StreamResult) => Object.keys(r.statuses).map(Number);
const count = (r: StreamResult, status: number) => r.statuses[status] ?? 0;

describe('one tenant’s flood', () => {
  it('is refused with 429/503 JSON while the other tenant and /healthz are served, and memory comes back', async () => {
    const [alice, charlie] = [await tokenFor('alice@test.com'), await tokenFor('charlie@test.com')];
    const url = gateway('/data/products?select=name,price');
    const auth = (token: string) => ({ authorization: `Bearer ${token}` });
    await load(url, { connections: 8, seconds: 1, headers: auth(alice) }); // warm-up
    const capacity = (await load(url, { connections: 32, seconds: 3, headers: auth(alice) })).rps;
    expect(capacity).toBeGreaterThan(0);
    const rssBefore = coreRssBytes();

    // The flood's own refusals, sampled from here while it runs: their bodies and headers.
    const refusals: Reply[] = [];
    let flooding = true;
    const sample = (async () => {
      while (flooding && refusals.length < 20) {
        const res = await call('GET', url, { token: alice });
        if (res.status === 429 || res.status === 503) refusals.push(res);
        else expect(res.status).toBe(200);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const [flood, quiet, healthz] = await runLoad([
      {
        name: 'flood',
        url,
        rate: Math.round(capacity * 2),
        seconds: FLOOD_SECONDS,
        headers: auth(alice),
        connections: 512,
      },
      { name: 'quiet', url, rate: 20, seconds: FLOOD_SECONDS, headers: auth(charlie) },
      { name: 'healthz', url: gateway('/healthz'), rate: 2, seconds: FLOOD_SECONDS },
    ]).finally(() => (flooding = false));
    await sample;

    // Every request of every stream got an answer (within the generator's 10 s), none of them a timeout.
    for (const stream of [flood!, quiet!, healthz!]) {
      expect(stream.timeouts + stream.errors, `${stream.name} unanswered`).toBe(0);
      expect(stream.answered).toBe(stream.sent);
    }
    // The flood: served up to its share, the excess refused; no other status, no 5xx but 503.
    expect(count(flood!, 200)).toBeGreaterThan(0);
    expect(count(flood!, 429) + count(flood!, 503)).toBeGreaterThan(0);
    expect(statuses(flood!).every((s) => [200, 429, 503].includes(s))).toBe(true);
    // The quiet tenant and /healthz: every single request succeeded.
    expect(quiet!.statuses).toEqual({ 200: quiet!.sent });
    expect(healthz!.statuses).toEqual({ 200: healthz!.sent });

    // A refusal is a clean JSON error naming why, with Retry-After.
    expect(refusals.length).toBeGreaterThan(0);
    for (const res of refusals) {
      expectCleanError(res, res.status);
      expect(res.json.error).toBe(res.status === 429 ? 'rate_limited' : 'overloaded');
      expect(res.json.upstream).toBe('PostgREST');
      expect(res.headers['retry-after']).toBe('1');
      expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
    }

    // Served normally again at once, for both tenants.
    expect((await call('GET', url, { token: alice })).status).toBe(200);
    expect((await call('GET', url, { token: charlie })).status).toBe(200);

    // The core's memory comes back near where it was: V8 returns a flood's heap when its memory reducer runs,
    // seconds to a minute after the allocation rate drops (the shared core runs in vitest's main process, whose own
    // memory moves too, hence the margin).
    const deadline = Date.now() + 60_000;
    let rss = coreRssBytes();
    while (rss - rssBefore >= 100 * MiB && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2000));
      rss = Math.min(rss, coreRssBytes());
    }
    expect((rss - rssBefore) / MiB).toBeLessThan(100);
  }, 120_000);

  it('shows on the dashboard’s stack view: the flooder’s refusals, the quiet tenant’s admissions', async () => {
    const res = await call('GET', gateway('/api/stack'), { headers: { 'x-apprun-admin-token': stack().adminToken } });
    expect(res.status).toBe(200);
    type Row = {
      tenantId: string;
      name: string;
      plan: string;
      admitted: number;
      rateLimited: number;
      overloaded: number;
    };
    const tenants = res.json.admission.tenants as Row[];
    const flooder = tenants.find((t) => t.tenantId === T1);
    const quiet = tenants.find((t) => t.tenantId === T2);
    expect(flooder).toMatchObject({ name: 'Test Tenant 1', plan: 'free' });
    expect(flooder!.rateLimited + flooder!.overloaded).toBeGreaterThan(0);
    expect(quiet).toMatchObject({ name: 'Test Tenant 2', plan: 'pro' });
    expect(quiet!.admitted).toBeGreaterThan(0);
    expect(res.json.admission.upstreams.map((u: { upstream: string }) => u.upstream)).toEqual([
      'postgrest',
      'kratos',
      'minio',
      'temporal',
    ]);
  });
});
