import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import * as Minio from 'minio';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVENESS_APPLICATION_NAME } from '../../stack/services/postgres-liveness.js';
import { call, expectCleanError, gateway, stack, tokenFor } from './http.js';

const admin = () => ({ 'x-apprun-admin-token': stack().adminToken });
const ports = () => JSON.parse(readFileSync(path.join(stack().home, 'run', 'core.json'), 'utf8')).ports;
const secrets = () => JSON.parse(readFileSync(path.join(stack().home, 'secrets', 'stack-secrets.json'), 'utf8'));

interface Snapshot {
  name: string;
  state: string;
  pid?: number;
  restarts: number;
  lastExit?: { reason: string; at: number };
  usage?: { memoryBytes: number; cpuPercent: number };
}

async function services(): Promise<Snapshot[]> {
  return (await call('GET', gateway('/api/stack'), { headers: admin() })).json.services;
}
async function service(name: string): Promise<Snapshot> {
  return (await services()).find((s) => s.name === name)!;
}
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let minio: Minio.Client;
const BUCKET = 'apprun-test';

beforeAll(() => {
  const s = secrets();
  minio = new Minio.Client({
    endPoint: '127.0.0.1',
    port: ports().minio,
    useSSL: false,
    accessKey: s.minioRootUser,
    secretKey: s.minioRootPassword,
  });
});

describe('the whole stack from a cold start', () => {
  it('has all five services healthy, with memory and CPU sampled', async () => {
    const all = await services();
    expect(all.map((s) => `${s.name}:${s.state}`).sort()).toEqual([
      'kratos:healthy',
      'minio:healthy',
      'postgres:healthy',
      'postgrest:healthy',
      'temporal:healthy',
    ]);
    const metrics = await call('GET', gateway('/api/stack/metrics?since=0'), { headers: admin() });
    const last = metrics.json.samples.at(-1);
    expect(Object.keys(last.services).sort()).toEqual(['kratos', 'minio', 'postgres', 'postgrest', 'temporal']);
    expect(last.total.memoryBytes).toBeGreaterThan(last.appliance.memoryBytes);
    expect(metrics.json.budgetBytes).toBe(1024 * 1024 * 1024);
    expect((await call('GET', gateway('/api/stack/metrics?since=abc'), { headers: admin() })).status).toBe(400);
  });

  it('Temporal answers a real call through @temporalio/client', async () => {
    const connection = await Connection.connect({ address: `127.0.0.1:${ports().temporal}` });
    try {
      const ns = await connection.workflowService.describeNamespace({ namespace: 'default' });
      expect(ns.namespaceInfo?.name).toBe('default');
      const info = await connection.workflowService.getSystemInfo({});
      expect(info.serverVersion).toMatch(/^1\./);
    } finally {
      await connection.close();
    }
    const ui = await call('GET', `http://127.0.0.1:${ports().temporalUi}/`);
    expect(ui.status).toBe(200);
  });

  it('MinIO does a bucket round-trip through the minio client', async () => {
    if (!(await minio.bucketExists(BUCKET))) await minio.makeBucket(BUCKET);
    await minio.putObject(BUCKET, 'hello.txt', Buffer.from('hello from apprun'), 17, { 'Content-Type': 'text/plain' });
    const stream = await minio.getObject(BUCKET, 'hello.txt');
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('hello from apprun');
  });

  it('Kratos is ready and creates an identity through its admin API', async () => {
    const admin = `http://127.0.0.1:${ports().kratosAdmin}`;
    expect((await call('GET', `${admin}/admin/health/ready`)).status).toBe(200);
    const created = await call('POST', `${admin}/admin/identities`, {
      body: {
        schema_id: 'default',
        traits: { email: 'dora@test.com', name: 'Dora' },
        metadata_public: { tenant_id: '00000000-0000-4000-8000-000000000001', role: 'user' },
      },
    });
    expect(created.status).toBe(201);
    const fetched = await call('GET', `${admin}/admin/identities/${created.json.id}`);
    expect(fetched.json.traits.email).toBe('dora@test.com');
    const invalid = await call('POST', `${admin}/admin/identities`, {
      body: { schema_id: 'default', traits: { email: 'no-name@test.com' } },
    });
    expect(invalid.status).toBe(400);
  });
});

describe('healing', () => {
  it("keeps Postgres' liveness connection between checks, and connects again when it is ended", async () => {
    const s = secrets();
    const client = new pg.Client({
      connectionString: `postgres://postgres:${encodeURIComponent(s.postgresPassword)}@127.0.0.1:${ports().postgres}/postgres`,
    });
    await client.connect();
    try {
      const liveness = async () =>
        (
          await client.query<{ pid: number; checked: string }>(
            'select pid, query_start::text as checked from pg_stat_activity where application_name = $1',
            [LIVENESS_APPLICATION_NAME],
          )
        ).rows;
      // The one liveness connection, or undefined while there is none (or, briefly, two).
      const only = async () => {
        const rows = await liveness();
        return rows.length === 1 ? rows[0] : undefined;
      };
      const first = await waitFor('the liveness connection', only);
      const restarts = (await service('postgres')).restarts;
      await client.query('select pg_terminate_backend($1)', [first.pid]);
      const second = await waitFor('a new liveness connection', async () => {
        const row = await only();
        return row && row.pid !== first.pid && row.checked ? row : undefined;
      });
      // The next check (the supervisor's checks come every 5 s) runs over the same backend. The new connection is
      // seconds old, so its renewal (every minute) cannot fall in this window.
      const later = await waitFor(
        'the next liveness check',
        async () => {
          const rows = await liveness();
          return rows.some((r) => r.checked !== second.checked) ? rows : undefined;
        },
        30_000,
      );
      expect(later.map((r) => r.pid)).toEqual([second.pid]);
      // An ended connection is not a failed service: no restart, and the core still answers.
      expect(await service('postgres')).toMatchObject({ state: 'healthy', restarts });
    } finally {
      await client.end();
    }
  });

  it.each(['postgres', 'postgrest', 'kratos', 'temporal', 'minio'])(
    'kill -9 of %s is detected within 2 s and healed',
    async (name) => {
      const before = await service(name);
      const killedAt = Date.now();
      process.kill(before.pid!, 'SIGKILL');
      const healed = await waitFor(`${name} to come back`, async () => {
        const s = await service(name);
        return s.state === 'healthy' && s.pid !== before.pid ? s : undefined;
      });
      expect(healed.restarts).toBe(before.restarts + 1);
      expect(healed.lastExit?.reason).toBe('killed by SIGKILL (kill -9)');
      expect(healed.lastExit!.at - killedAt).toBeLessThan(2000);
      const logs = await call('GET', gateway(`/api/stack/${name}/logs?tail=200`), { headers: admin() });
      expect(logs.json.lines.join('\n')).toContain(`process ${before.pid} ended: killed by SIGKILL`);
    },
  );

  it('the data API works again after Postgres was killed', async () => {
    const token = await tokenFor('alice@test.com');
    const res = await waitFor('the data API', async () => {
      const r = await call('GET', gateway('/data/products'), { token });
      return r.status === 200 ? r : undefined;
    });
    expect(res.json.length).toBeGreaterThan(0);
  });
});

describe('restarts keep data', () => {
  it('MinIO objects and Postgres rows survive a restart through the control API', async () => {
    if (!(await minio.bucketExists(BUCKET))) await minio.makeBucket(BUCKET);
    await minio.putObject(BUCKET, 'kept.txt', Buffer.from('kept'));
    for (const name of ['minio', 'postgres']) {
      const res = await call('POST', gateway(`/api/stack/${name}/restart`), { headers: admin() });
      expect(res.status).toBe(200);
      expect(res.json.state).toBe('healthy');
    }
    const stat = await minio.statObject(BUCKET, 'kept.txt');
    expect(stat.size).toBe(4);
    const token = await tokenFor('alice@test.com');
    const rows = await waitFor('products', async () => {
      const r = await call('GET', gateway('/data/products?name=eq.Widget'), { token });
      return r.status === 200 ? r.json : undefined;
    });
    expect(rows).toHaveLength(1);
  });
});

describe('the control API', () => {
  it('refuses start/stop/restart without the admin token and changes nothing', async () => {
    const before = await service('minio');
    for (const action of ['start', 'stop', 'restart']) {
      expectCleanError(await call('POST', gateway(`/api/stack/minio/${action}`)), 401);
      expectCleanError(
        await call('POST', gateway(`/api/stack/minio/${action}`), { headers: { 'x-apprun-admin-token': 'nope' } }),
        401,
      );
    }
    expect((await service('minio')).pid).toBe(before.pid);
    expectCleanError(await call('POST', gateway('/api/stack/minio/explode'), { headers: admin() }), 400);
    expectCleanError(await call('POST', gateway('/api/stack/nosuch/restart'), { headers: admin() }), 404);
  });

  it('stops and starts a service on request', async () => {
    const stopped = await call('POST', gateway('/api/stack/temporal/stop'), { headers: admin() });
    expect(stopped.json.state).toBe('stopped');
    const started = await call('POST', gateway('/api/stack/temporal/start'), { headers: admin() });
    expect(started.json.state).toBe('healthy');
  });
});

afterAll(async () => {
  // leave every service healthy for the suites that run after this one
  await waitFor('all healthy', async () => ((await services()).every((s) => s.state === 'healthy') ? true : undefined));
});
