import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../stack/pid-files.js';
import { DEFAULT_DEV_PASSWORD } from '../settings.js';
import { type RunningApprun, startApprun } from './apprun-process.js';
import { apprun, BIN, processesMentioning } from './cli.js';
import { call, expectCleanError } from './http.js';
import { TEST_PORT_BASES } from './port-bases.js';

// Sleep when idle, wake on the next request: an appliance of its own with a 2 s idle time, real services.

const IDLE_S = 2;
let run: RunningApprun;
let home: string;
const gateway = (p: string) => `${run.state.gatewayUrl}${p}`;
const admin = () => ({ 'x-apprun-admin-token': run.state.adminToken });

async function states(): Promise<
  Record<string, { state: string; pid?: number; asleep?: { since: number; savedBytes?: number } }>
> {
  const res = await call('GET', gateway('/api/stack'), { headers: admin() });
  return Object.fromEntries(
    (res.json.services as { name: string; state: string; asleep?: { since: number } }[]).map((s) => [s.name, s]),
  );
}

async function until(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const allAsleep = async () => {
  const s = await states();
  return ['kratos', 'minio', 'temporal'].every((n) => s[n]!.state === 'asleep');
};

const login = (email = 'bob@test.com') =>
  call('POST', gateway('/auth/login'), { body: { email, password: DEFAULT_DEV_PASSWORD } });

beforeAll(async () => {
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-idle-'));
  await fs.chmod(home, 0o755);
  run = await startApprun(home, TEST_PORT_BASES.idle, [], { APPRUN_IDLE_SLEEP_S: String(IDLE_S) });
}, 180_000);

afterAll(async () => {
  await run?.stop();
  if (home) await fs.rm(home, { recursive: true, force: true });
}, 60_000);

describe('idle sleep', () => {
  it('puts Kratos, MinIO and Temporal to sleep after the idle time, keeps Postgres and PostgREST, and says so', async () => {
    await until('every fronted service asleep', allAsleep);
    const s = await states();
    expect(s.postgres!.state).toBe('healthy');
    expect(s.postgrest!.state).toBe('healthy');
    expect(s.kratos!.asleep!.since).toBeLessThanOrEqual(Date.now());
    expect(s.kratos!.asleep!.savedBytes).toBeGreaterThan(0);
    const status = await apprun(['status', '--home', home]);
    expect(status.stdout).toMatch(/asleep \(idle\): .*kratos since \d\d:\d\d:\d\d/);
    expect(status.stdout).toContain('each wakes on its next request');
    // The data API never sleeps.
    const token = (await login()).json?.access_token; // wakes Kratos (the next test checks the wake itself)
    expect((await call('GET', gateway('/data/products?select=name'), { token })).status).toBe(200);
  });

  it('wakes each service by its door, one wake for concurrent first requests, the wake in the trace', async () => {
    await until('asleep again', allAsleep);
    const before = run.output().split('kratos     waking').length;
    const logins = await Promise.all([1, 2, 3, 4, 5].map(() => login()));
    for (const res of logins) expect(res.status, res.text).toBe(200);
    expect(run.output().split('kratos     waking').length - before).toBe(1);
    const trace = await call('GET', gateway(`/api/traces/${String(logins[0]!.headers.traceparent).split('-')[1]}`), {
      headers: admin(),
    });
    // The request that found Kratos asleep shows the wake as a span of its own, before its call to Kratos.
    const names = (trace.json.spans as { name: string }[]).map((s) => s.name);
    expect(names.indexOf('wake')).toBeGreaterThan(-1);
    expect(names.indexOf('wake')).toBeLessThan(names.indexOf('kratos'));

    const token = logins[0]!.json.access_token as string;
    const listed = await call('GET', gateway('/storage'), { token });
    expect(listed.status, listed.text).toBe(200);
    const started = await call('POST', gateway('/workflows/registration'), {
      token,
      body: { email: `idle-${randomUUID().slice(0, 6)}@example.test` },
    });
    expect(started.status, started.text).toBe(201);
    const s = await states();
    for (const name of ['kratos', 'minio', 'temporal']) expect(s[name]!.state).toBe('healthy');
  });

  it('keeps Temporal awake while a workflow retries, so it completes on time across the idle time', async () => {
    const token = (await login()).json.access_token as string;
    const started = await call('POST', gateway('/workflows/registration'), {
      token,
      body: { email: `retry-${randomUUID().slice(0, 6)}@example.test`, failTimes: 3 },
    });
    expect(started.status, started.text).toBe(201);
    const id = started.json.workflowId as string;
    let sawTemporalAwakeWhileOpen = false;
    await until(
      'the retried workflow completed',
      async () => {
        const res = await call('GET', gateway(`/workflows/${encodeURIComponent(id)}`), { token });
        if (res.json?.status === 'RUNNING' && (await states()).temporal!.state === 'healthy')
          sawTemporalAwakeWhileOpen = true;
        return res.json?.status === 'COMPLETED';
      },
      40_000,
    );
    expect(sawTemporalAwakeWhileOpen).toBe(true);
  });

  it('answers 503 naming the service and its last log lines when it cannot wake, and wakes it on the next try', async () => {
    await until('asleep again', allAsleep);
    // Kratos cannot start while another process holds its public port.
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(run.state.ports.kratosPublic, '127.0.0.1', resolve));
    try {
      const refused = await login();
      expectCleanError(refused, 503);
      expect(refused.json.error).toBe('service_waking');
      expect(refused.json.service).toBe('kratos');
      expect(refused.json.message).toMatch(/kratos was asleep and did not wake: .*last log lines/s);
      expect(refused.headers['retry-after']).toBeDefined();
      expect((await states()).kratos!.state).toBe('asleep');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    expect((await login()).status).toBe(200);
  });

  it('wakes what sleeps before a KPI run, says so, and lets nothing sleep under it', async () => {
    await until('asleep again', allAsleep);
    const started = await call('POST', gateway('/api/bench/runs'), { headers: admin(), body: { suites: ['rbac'] } });
    expect(started.status, started.text).toBe(202);
    let sleptDuringRun = false;
    let done: { state: string; woke?: string[]; error?: string } | undefined;
    await until(
      'the KPI run ended',
      async () => {
        const res = await call('GET', gateway(`/api/bench/runs/${started.json.id}`), { headers: admin() });
        if (
          res.json.state === 'running' &&
          res.json.woke &&
          Object.values(await states()).some((s) => s.state === 'asleep')
        )
          sleptDuringRun = true;
        done = res.json.state === 'running' ? undefined : res.json;
        return Boolean(done);
      },
      120_000,
    );
    expect(done!.error).toBeUndefined();
    expect(done!.state).toBe('done');
    expect(done!.woke!.sort()).toEqual(['kratos', 'minio', 'temporal']);
    expect(sleptDuringRun).toBe(false);
  });

  it('lets nothing sleep while a second gateway serves on the services, and sleeps again once it stops', async () => {
    await until('asleep again', allAsleep);
    const child = spawn(
      process.execPath,
      [BIN, 'gateway', '--port', String(TEST_PORT_BASES.idle + 90), '--home', home],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (out += c));
    try {
      // The appliance sees it at its next check (every 0.5 s here): what slept wakes, and nothing sleeps after.
      await until('the second gateway is up', async () => out.includes('second gateway up'), 60_000);
      await until('every service awake', async () => Object.values(await states()).every((s) => s.state === 'healthy'));
      const viaSecond = await call('POST', `http://127.0.0.1:${TEST_PORT_BASES.idle + 90}/auth/login`, {
        body: { email: 'bob@test.com', password: DEFAULT_DEV_PASSWORD },
      });
      expect(viaSecond.status, viaSecond.text).toBe(200);
      await new Promise((r) => setTimeout(r, (IDLE_S + 3) * 1000));
      expect(Object.values(await states()).every((s) => s.state === 'healthy')).toBe(true);
    } finally {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
    await until('asleep once the second gateway stopped', allAsleep);
  });

  it('leaves no orphan when the core is killed with -9 while services sleep, and starts normally after', async () => {
    await until('asleep again', allAsleep);
    const awake = Object.values(await states()).filter((s) => s.state === 'healthy');
    const pids = awake.map((s) => s.pid!);
    expect(pids.length).toBe(2); // Postgres and PostgREST
    run.child.kill('SIGKILL');
    await new Promise((r) => run.child.once('exit', r));
    // The kernel ends each service when its parent dies (parent-death signal); the sleepers had no process left.
    await until(
      'no process of the home left',
      async () => !pids.some(isAlive) && !processesMentioning(home).length,
      15_000,
    );
    run = await startApprun(home, TEST_PORT_BASES.idle, [], { APPRUN_IDLE_SLEEP_S: String(IDLE_S) });
    const s = await states();
    expect(Object.values(s).map((x) => x.state)).toEqual(Object.values(s).map(() => 'healthy'));
    expect((await login()).status).toBe(200);
  });

  it('stops cleanly when apprun down comes during a wake', async () => {
    await until('asleep again', allAsleep);
    // Its answer is awaited after the down; a rejection meanwhile (the socket closed under it) is handled at once.
    const waking = login().catch((err: Error) => ({ status: 0, text: err.message }));
    await until('kratos waking', async () => (await states()).kratos!.state === 'starting', 10_000);
    const down = await apprun(['down', '--home', home]);
    expect(down.code, down.stderr).toBe(0);
    // The request that woke it got an answer (a login, or a clean 503: the appliance went down under it), not a hang.
    const answer = await waking;
    expect([0, 200, 502, 503], answer.text).toContain(answer.status);
    await until('no process of the home left', async () => processesMentioning(home).length === 0, 15_000);
  });
});
