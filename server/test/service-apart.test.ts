import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { portMap } from '../../stack/ports.js';
import { apprun, BIN, processesMentioning } from './cli.js';
import { call } from './http.js';
import { TEST_PORT_BASES } from './port-bases.js';
import { until } from './until.js';

// Each service of the stack in a process of its own (`apprun service NAME`), as the containers of a Compose file or
// the pods of a chart run them: the same specs `apprun up` starts, prepared the same way, real services.

const BASE = TEST_PORT_BASES.serviceApart;
const ports = portMap(BASE);
let home: string;
const running = new Map<string, { child: ChildProcess; out: () => string }>();

function service(name: string, ...extra: string[]): { child: ChildProcess; out: () => string } {
  const child = spawn(process.execPath, [BIN, 'service', name, '--home', home, '--port-base', String(BASE), ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c));
  child.stderr!.on('data', (c: Buffer) => (out += c));
  return { child, out: () => out };
}

const exitOf = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise<number | null>((r) => child.once('exit', (code) => r(code)));

afterAll(async () => {
  for (const { child } of [...running.values()].reverse()) {
    const exited = exitOf(child);
    child.kill('SIGTERM');
    await exited;
  }
  if (home) await fs.rm(home, { recursive: true, force: true });
}, 120_000);

describe('apprun service NAME: one service per process', () => {
  it('prepares Postgres alone and exits (--prepare-only), leaving no process', async () => {
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-apart-'));
    await fs.chmod(home, 0o755);
    const init = service('postgres', '--prepare-only');
    expect(await exitOf(init.child), init.out()).toBe(0);
    expect(init.out()).toContain('prepared');
    await fs.stat(path.join(home, 'data', 'postgres', 'PG_VERSION'));
    expect(processesMentioning(home)).toEqual([]);
  }, 120_000);

  it('runs the five services apart, each waiting for what it needs: the project is migrated and seeded', async () => {
    // Started in reverse order on purpose: each waits for its dependencies' health, as an orchestrator's would.
    for (const name of ['postgrest', 'kratos', 'temporal', 'minio', 'postgres']) running.set(name, service(name));
    // Its own line (`postgrest  healthy`), not a dependency's; an exit ends the wait, and the check after says why.
    for (const [name, s] of running)
      await until(
        `${name} healthy`,
        async () => (s.child.exitCode !== null || s.out().includes(`${name.padEnd(10)} healthy`) ? true : undefined),
        90_000,
      );
    for (const [name, s] of running) expect(s.child.exitCode, `${name} exited:\n${s.out()}`).toBeNull();
    expect((await call('GET', `http://127.0.0.1:${ports.postgrestAdmin}/ready`)).status).toBe(200);
    expect((await call('GET', `http://127.0.0.1:${ports.kratosAdmin}/admin/health/ready`)).status).toBe(200);
    expect((await call('GET', `http://127.0.0.1:${ports.minio}/minio/health/ready`)).status).toBe(200);
    const secrets = JSON.parse(await fs.readFile(path.join(home, 'secrets', 'stack-secrets.json'), 'utf8'));
    const db = new pg.Client({
      connectionString: `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${ports.postgres}/apprun`,
    });
    await db.connect();
    try {
      expect((await db.query('select count(*)::int as n from api.products')).rows[0].n).toBeGreaterThan(0);
    } finally {
      await db.end();
    }
  }, 180_000);

  it('serves them through a gateway run apart too (apprun gateway --standalone): login, the tenant’s rows', async () => {
    const port = BASE + 90;
    const child = spawn(
      process.execPath,
      [BIN, 'gateway', '--standalone', '--port', String(port), '--port-base', String(BASE), '--home', home],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, APPRUN_ADMIN_TOKEN: 'apart-admin-token' } },
    );
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c));
    child.stderr!.on('data', (c: Buffer) => (out += c));
    running.set('gateway', { child, out: () => out });
    await until(
      'the gateway is up',
      async () => {
        if (child.exitCode !== null) throw new Error(`the gateway exited:\n${out}`);
        return out.includes('gateway up') ? true : undefined;
      },
      90_000,
    );
    const gateway = `http://127.0.0.1:${port}`;
    const login = await call('POST', `${gateway}/auth/login`, {
      body: { email: 'bob@test.com', password: 'apprun-dev-password' },
    });
    expect(login.status, login.text).toBe(200);
    const rows = await call('GET', `${gateway}/data/products?select=name,tenant_id`, {
      token: login.json.access_token,
    });
    expect(rows.status, rows.text).toBe(200);
    expect(rows.json.length).toBeGreaterThan(0);
    expect(new Set(rows.json.map((r: { tenant_id: string }) => r.tenant_id)).size).toBe(1);
    const stack = await call('GET', `${gateway}/api/stack`, {
      headers: { 'x-apprun-admin-token': 'apart-admin-token' },
    });
    expect(stack.status).toBe(200);
    const reset = await call('POST', `${gateway}/api/reset`, {
      headers: { 'x-apprun-admin-token': 'apart-admin-token' },
      body: {},
    });
    expect([reset.status, reset.json.error]).toEqual([409, 'appliance_only']);
    const exited = exitOf(child);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    running.delete('gateway');
  }, 120_000);

  it('exits 1 when its process ends unasked (the orchestrator restarts it), 0 on a stop signal', async () => {
    const minio = running.get('minio')!;
    const { pid } = JSON.parse(await fs.readFile(path.join(home, 'run', 'minio.pid'), 'utf8')) as { pid: number };
    process.kill(pid, 'SIGKILL');
    expect(await exitOf(minio.child)).toBe(1);
    expect(minio.out()).toMatch(/minio ended: .*SIGKILL/);
    running.delete('minio');
    for (const name of ['postgrest', 'kratos', 'temporal', 'postgres']) {
      const { child } = running.get(name)!;
      const exited = exitOf(child);
      child.kill('SIGTERM');
      expect(await exited, name).toBe(0);
      running.delete(name);
    }
    await until('no process of the home left', async () => (processesMentioning(home).length ? undefined : true));
  }, 120_000);

  it('refuses an unknown service by name', async () => {
    const res = await apprun(['service', 'nope', '--home', home]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('no service "nope"; known: postgres');
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });
});
