import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { defineSearchAttributeKey } from '@temporalio/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../stack/pid-files.js';
import type { WorkflowDetailView } from '../api/contract.js';
import { REGISTRATION_WORKFLOW, TASK_QUEUE } from '../workflows/registration.js';
import { TENANT_SEARCH_ATTRIBUTE } from '../workflows/workflow-service.js';
import { startApprun, stopStartedApprun } from './apprun-process.js';
import { apprun, BIN, processesMentioning } from './cli.js';
import { call, deployFunction, login, T1, wasmModule } from './http.js';
import { TEST_PORT_BASES } from './port-bases.js';

const PORT_BASE = TEST_PORT_BASES.lifecycle;
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

/** Starts a registration past the gateway, with Temporal's own client (as its CLI would); returns the workflow id. */
async function startPastTheGateway(temporalPort: number): Promise<string> {
  const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
  try {
    const workflowId = `registration-past-the-gateway-${Date.now()}`;
    await new Client({ connection }).workflow.start(REGISTRATION_WORKFLOW, {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [{ email: 'past-the-gateway@test.com', name: 'Outside', tenantId: T1 }],
      typedSearchAttributes: [{ key: defineSearchAttributeKey(TENANT_SEARCH_ATTRIBUTE, 'KEYWORD'), value: T1 }],
    });
    return workflowId;
  } finally {
    await connection.close();
  }
}

/** Polls the workflow until done(detail) holds; bounded, as a hang detector (its retries need ~8 s in all). */
async function waitForWorkflow(
  token: string,
  id: string,
  done = (w: WorkflowDetailView) => w.status !== 'RUNNING',
): Promise<WorkflowDetailView> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await call('GET', `${GATEWAY}/workflows/${id}`, { token });
    if (res.json?.status && done(res.json)) return res.json;
    if (Date.now() > deadline) throw new Error(`workflow ${id} did not get there in 60 s: ${res.text}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// Hang detectors, at least 3× what each test needs on a cold 2-core machine (measured: 36 s, 25 s, 2 s); the speed of
// a start is bench:stack's business, not a test's.
const TWO_STARTS_AND_A_WORKFLOW_MS = 150_000;
const TWO_STARTS_MS = 100_000;
const REFUSED_START_MS = 60_000;

async function aliceToken(): Promise<string> {
  return (await login(GATEWAY, 'alice@test.com')).json.access_token;
}

beforeAll(async () => {
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-life-'));
  await fs.chmod(home, 0o755);
});
// Whatever a test did or failed to do, the next one starts with no appliance and no service of this home running.
afterEach(async () => {
  await stopStartedApprun();
  await apprun(['down', '--home', home]);
});
afterAll(async () => {
  await fs.rm(home, { recursive: true, force: true });
});

describe('apprun up / status / down', () => {
  it(
    'keeps data across down and up, and leaves no process behind',
    async () => {
      const first = await startApprun(home, PORT_BASE);
      expect(first.output()).toMatch(/postgres\s+running\s+healthy/);
      // no workflow yet: the worker waits for the first one
      expect(first.output()).toContain('workflows  worker idle: it starts with the first workflow');
      const before = await status();
      expect(before.services.map((s) => `${s.name}:${s.state}`).sort()).toEqual([
        'kratos:healthy',
        'minio:healthy',
        'postgres:healthy',
        'postgrest:healthy',
        'temporal:healthy',
      ]);
      const servicePids = before.services.map((s) => s.pid!);

      const token = await aliceToken();
      // A workflow started past the gateway: the idle worker notices it (it asks Temporal every 10 s) and runs it.
      const pastTheGateway = await startPastTheGateway(first.state.ports.temporal);
      expect((await waitForWorkflow(token, pastTheGateway)).status).toBe('COMPLETED');
      const created = await call('POST', `${GATEWAY}/data/products`, {
        token,
        body: { name: 'Survivor', price: 1.25 },
      });
      expect(created.status).toBe(201);
      expect((await deployFunction(GATEWAY, token, 'hello', wasmModule('hello'))).status).toBe(201);
      const withNetwork = await deployFunction(GATEWAY, token, 'http-status', wasmModule('http-status'), {
        allowed_hosts: [`127.0.0.1:${PORT_BASE}`],
      });
      expect(withNetwork.status).toBe(201);

      // A workflow mid-retry when the appliance (and its worker) goes down: 4 failures, backoff 0.5 + 1 + 2 + 4 s.
      const started = await call('POST', `${GATEWAY}/workflows/registration`, {
        token,
        body: { email: 'resume@test.com', failTimes: 4, failActivity: 'CreateDefaultProject' },
      });
      expect(started.status).toBe(201);
      // Down only once the first attempt has run on this appliance, so the retries straddle the restart on any machine.
      await waitForWorkflow(token, started.json.workflowId, (w) =>
        w.attempts.some((a: { activity: string }) => a.activity === 'CreateDefaultProject'),
      );
      const downAt = Date.now();

      const down = await apprun(['down', '--home', home]);
      expect(down.code).toBe(0);
      expect(down.stdout).toContain('apprun is down');
      expect(servicePids.filter(isAlive)).toEqual([]);
      expect(processesMentioning(home)).toEqual([]);
      expect((await apprun(['status', '--home', home])).code).toBe(3);

      const second = await startApprun(home, PORT_BASE);
      // the open workflow starts the worker with the appliance, before it reports ready
      const secondOutput = second.output();
      expect(secondOutput).not.toContain('worker idle');
      expect(secondOutput.indexOf('workflows  worker polling')).toBeGreaterThan(-1);
      expect(secondOutput.indexOf('workflows  worker polling')).toBeLessThan(secondOutput.indexOf('core       ready'));
      const again = await call('GET', `${GATEWAY}/data/products?name=eq.Survivor`, { token: await aliceToken() });
      expect(again.json).toHaveLength(1);
      expect(again.json[0].price).toBe(1.25);
      // the function's module comes back from MinIO and runs again after the restart
      const invoked = await call('POST', `${GATEWAY}/functions/hello/invoke`, {
        token: await aliceToken(),
        body: 'again',
        headers: { 'content-type': 'text/plain' },
      });
      expect(invoked.text).toBe('Hello, again!');
      // the workflow resumes on the new worker and completes, its retries spanning the restart
      const workflow = await waitForWorkflow(await aliceToken(), started.json.workflowId);
      expect(workflow.status).toBe('COMPLETED');
      const attempts = workflow.attempts.filter((a) => a.activity === 'CreateDefaultProject');
      expect(attempts.map((a) => a.outcome)).toEqual(['failed', 'failed', 'failed', 'failed', 'completed']);
      expect(Date.parse(attempts[0]!.startedAt)).toBeLessThan(downAt);
      expect(Date.parse(attempts[4]!.startedAt)).toBeGreaterThan(downAt);
      // and so does a function with network access, in its worker thread (the built dist/network-worker.js)
      const fetched = await call('POST', `${GATEWAY}/functions/http-status/invoke`, {
        token: await aliceToken(),
        body: JSON.stringify({ url: `${GATEWAY}/healthz` }),
      });
      expect(fetched.json).toMatchObject({ status: 200, body: '{"status":"ok"}' });
      await apprun(['down', '--home', home]);
      expect(processesMentioning(home)).toEqual([]);
    },
    TWO_STARTS_AND_A_WORKFLOW_MS,
  );

  it(
    'stops every service cleanly when Ctrl-C comes the moment it is ready',
    async () => {
      // Its own fresh home, so each service's log holds only this run.
      const fresh = await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-life-ready-'));
      await fs.chmod(fresh, 0o755);
      try {
        const child = spawn(process.execPath, [BIN, 'up', '--home', fresh, '--port-base', String(PORT_BASE)], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stderr.on('data', (c: Buffer) => (out += c));
        // The signal lands while the banner asks the core for its status (once that window ended with exit 1, and
        // the services were ended by their parent-death SIGKILL instead of their stop signal).
        child.stdout.on('data', (c: Buffer) => {
          if (!out.includes('core       ready') && `${out}${c}`.includes('core       ready')) child.kill('SIGINT');
          out += c;
        });
        const [code] = await new Promise<[number | null]>((r) => child.once('exit', (c) => r([c])));
        expect(out).toContain('apprun stopped; no processes left behind');
        expect(code).toBe(0);
        for (const service of ['postgres', 'postgrest', 'kratos', 'temporal', 'minio']) {
          const log = await fs.readFile(path.join(fresh, 'logs', `${service}.log`), 'utf8');
          expect(log, service).toMatch(/process \d+ ended: /);
          expect(log, service).not.toContain('SIGKILL');
        }
        expect(processesMentioning(fresh)).toEqual([]);
      } finally {
        await fs.rm(fresh, { recursive: true, force: true });
      }
    },
    TWO_STARTS_MS,
  );

  it(
    'leaves no orphans when the core itself is killed with -9, and starts cleanly afterwards',
    async () => {
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
    },
    TWO_STARTS_MS,
  );

  it(
    'fails fast, naming port and service, when a port is taken',
    async () => {
      const holder = net.createServer();
      await new Promise<void>((resolve, reject) => {
        holder.once('error', (err) =>
          reject(new Error(`the test cannot hold port ${PORT_BASE + 1} itself: ${err.message}`)),
        );
        holder.listen(PORT_BASE + 1, '127.0.0.1', () => resolve());
      });
      try {
        const res = await apprun(['up', '--home', home, '--port-base', String(PORT_BASE)]);
        expect(res.code).toBe(1);
        expect(res.stderr).toContain(`port ${PORT_BASE + 1} (postgres) is already in use`);
        expect(res.stderr).not.toMatch(/\n\s+at /);
      } finally {
        await new Promise((r) => holder.close(r));
      }
      expect(processesMentioning(home)).toEqual([]);
    },
    REFUSED_START_MS,
  );
});
