import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, deployFunction, login, wasmModule } from '../../server/test/http.js';
import { isAlive } from '../pid-files.js';
import { startApprun } from './apprun-process.js';
import { apprun, processesMentioning } from './cli.js';

const PORT_BASE = 24000;
const GATEWAY = `http://127.0.0.1:${PORT_BASE}`;
let home: string;

interface StatusJson {
  running: boolean;
  services: { name: string; state: string; pid?: number }[];
}

async function status(): Promise<StatusJson> {
  const res = await apprun(['status', '--json', '--home', home]);
  return JSON.parse(res.stdout);
}

async function waitForWorkflow(token: string, id: string) {
  const deadline = Date.now() + 40_000;
  for (;;) {
    const res = await call('GET', `${GATEWAY}/workflows/${id}`, { token });
    if (res.json?.status && res.json.status !== 'RUNNING') return res.json;
    if (Date.now() > deadline) throw new Error(`workflow ${id} did not finish: ${res.text}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function aliceToken(): Promise<string> {
  return (await login(GATEWAY, 'alice@test.com')).json.access_token;
}

beforeAll(async () => {
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-life-'));
  await fs.chmod(home, 0o755);
});
afterAll(async () => {
  await apprun(['down', '--home', home]);
  await fs.rm(home, { recursive: true, force: true });
});

describe('apprun up / status / down', () => {
  it('keeps data across down and up, and leaves no process behind', async () => {
    const first = await startApprun(home, PORT_BASE);
    expect(first.output()).toMatch(/postgres\s+running\s+healthy/);
    const before = await status();
    expect(before.services.map((s) => `${s.name}:${s.state}`).sort()).toEqual(['kratos:healthy', 'minio:healthy', 'postgres:healthy', 'postgrest:healthy', 'temporal:healthy']);
    const servicePids = before.services.map((s) => s.pid!);

    const token = await aliceToken();
    const created = await call('POST', `${GATEWAY}/data/products`, { token, body: { name: 'Survivor', price: 1.25 } });
    expect(created.status).toBe(201);
    expect((await deployFunction(GATEWAY, token, 'hello', wasmModule('hello'))).status).toBe(201);
    const withNetwork = await deployFunction(GATEWAY, token, 'http-status', wasmModule('http-status'), { allowed_hosts: [`127.0.0.1:${PORT_BASE}`] });
    expect(withNetwork.status).toBe(201);

    // A workflow mid-retry when the appliance (and its worker) goes down: 4 failures, backoff 0.5 + 1 + 2 + 4 s.
    const started = await call('POST', `${GATEWAY}/workflows/registration`, { token, body: { email: 'resume@test.com', failTimes: 4, failActivity: 'CreateDefaultProject' } });
    expect(started.status).toBe(201);
    const downAt = Date.now();

    const down = await apprun(['down', '--home', home]);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain('apprun is down');
    expect(servicePids.filter(isAlive)).toEqual([]);
    expect(processesMentioning(home)).toEqual([]);
    expect((await apprun(['status', '--home', home])).code).toBe(3);

    await startApprun(home, PORT_BASE);
    const again = await call('GET', `${GATEWAY}/data/products?name=eq.Survivor`, { token: await aliceToken() });
    expect(again.json).toHaveLength(1);
    expect(again.json[0].price).toBe(1.25);
    // the function's module comes back from MinIO and runs again after the restart
    const invoked = await call('POST', `${GATEWAY}/functions/hello/invoke`, { token: await aliceToken(), body: 'again', headers: { 'content-type': 'text/plain' } });
    expect(invoked.text).toBe('Hello, again!');
    // the workflow resumes on the new worker and completes, its retries spanning the restart
    const workflow = await waitForWorkflow(await aliceToken(), started.json.workflowId);
    expect(workflow.status).toBe('COMPLETED');
    const attempts = workflow.attempts.filter((a: { activity: string }) => a.activity === 'CreateDefaultProject');
    expect(attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['failed', 'failed', 'failed', 'failed', 'completed']);
    expect(Date.parse(attempts[0].startedAt)).toBeLessThan(downAt + 1000);
    expect(Date.parse(attempts[4].startedAt)).toBeGreaterThan(downAt);
    // and so does a function with network access, in its worker thread (the built dist/network-worker.js)
    const fetched = await call('POST', `${GATEWAY}/functions/http-status/invoke`, { token: await aliceToken(), body: JSON.stringify({ url: `${GATEWAY}/healthz` }) });
    expect(fetched.json).toMatchObject({ status: 200, body: '{"status":"ok"}' });
    await apprun(['down', '--home', home]);
    expect(processesMentioning(home)).toEqual([]);
  });

  it('leaves no orphans when the core itself is killed with -9, and starts cleanly afterwards', async () => {
    const run = await startApprun(home, PORT_BASE);
    const pids = (await status()).services.map((s) => s.pid!);
    expect(pids).toHaveLength(5);
    run.child.kill('SIGKILL');
    await new Promise((r) => run.child.once('exit', r));
    // The kernel ends each service when its parent dies (parent-death signal).
    const deadline = Date.now() + 10_000;
    while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(pids.filter(isAlive)).toEqual([]);
    expect(processesMentioning(home)).toEqual([]);
    await startApprun(home, PORT_BASE);
    expect((await status()).services.every((s) => s.state === 'healthy')).toBe(true);
    await apprun(['down', '--home', home]);
  });

  it('fails fast, naming port and service, when a port is taken', async () => {
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(PORT_BASE + 1, '127.0.0.1', () => r()));
    try {
      const res = await apprun(['up', '--home', home, '--port-base', String(PORT_BASE)]);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(`port ${PORT_BASE + 1} (postgres) is already in use`);
      expect(res.stderr).not.toMatch(/\n\s+at /);
    } finally {
      holder.close();
    }
    expect(processesMentioning(home)).toEqual([]);
  });
});
