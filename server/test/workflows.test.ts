import { afterAll, describe, expect, it } from 'vitest';
import { adminDb, call, expectCleanError, gateway, stack, T1, tokenFor } from './http.js';

const db = adminDb();
afterAll(() => db.end());

interface Attempt {
  activity: string;
  attempt: number;
  outcome: string | null;
  error: string | null;
}

const start = (token: string, body: object) => call('POST', gateway('/workflows/registration'), { token, body });

/** Polls GET /workflows/:id until the workflow is closed (bounded: 40 s, under the 60 s test timeout). */
async function settled(token: string, id: string) {
  const deadline = Date.now() + 40_000;
  for (;;) {
    const res = await call('GET', gateway(`/workflows/${id}`), { token });
    expect(res.status).toBe(200);
    if (res.json.status !== 'RUNNING') return res.json;
    if (Date.now() > deadline) throw new Error(`workflow ${id} still running: ${res.text}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const unique = (tag: string) => `${tag}-${Date.now()}-${Math.round(Math.random() * 1e6)}@test.com`;

describe('registration workflow (real Temporal dev server, in-process worker)', () => {
  it('completes, and its effects exist: the outbox email and the default project', async () => {
    const alice = await tokenFor('alice@test.com');
    const email = unique('wf');
    const started = await start(alice, { email, name: 'Wanda' });
    expect(started.status).toBe(201);
    expect(started.json).toEqual({ workflowId: expect.stringMatching(/^registration-/), runId: expect.any(String) });
    const done = await settled(alice, started.json.workflowId);
    expect(done).toMatchObject({
      status: 'COMPLETED',
      type: 'UserRegistrationWorkflow',
      email,
      result: { outboxId: expect.any(Number), projectId: expect.any(Number) },
    });
    expect(done.attempts.map((a: Attempt) => `${a.activity}#${a.attempt}:${a.outcome}`)).toEqual([
      'SendWelcomeEmail#1:completed',
      'CreateDefaultProject#1:completed',
    ]);
    expect(done.history[0].type).toBe('WorkflowExecutionStarted');
    expect(done.history.at(-1).type).toBe('WorkflowExecutionCompleted');
    expect(done.temporalUiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows\/registration-/);

    const outbox = await db.query(
      'select tenant_id, to_email, subject, body from app_private.outbox where workflow_id = $1',
      [started.json.workflowId],
    );
    expect(outbox.rows).toEqual([
      { tenant_id: T1, to_email: email, subject: 'Welcome to apprun', body: expect.stringContaining('Hello Wanda') },
    ]);
    const project = await db.query(
      'select id, tenant_id, owner_email from app_private.projects where created_by_workflow = $1',
      [started.json.workflowId],
    );
    expect(project.rows).toEqual([{ id: String(done.result.projectId), tenant_id: T1, owner_email: email }]);
    // the tenant reads both through the data API
    const mail = await call('GET', gateway(`/data/outbox?workflow_id=eq.${started.json.workflowId}`), { token: alice });
    expect(mail.json).toHaveLength(1);
  });

  it('retries an activity that fails twice and completes, with 3 attempts recorded', async () => {
    const bob = await tokenFor('bob@test.com');
    const started = await start(bob, { email: unique('retry'), failTimes: 2 });
    const done = await settled(bob, started.json.workflowId);
    expect(done.status).toBe('COMPLETED');
    const welcome = done.attempts.filter((a: Attempt) => a.activity === 'SendWelcomeEmail');
    expect(welcome.map((a: Attempt) => [a.attempt, a.outcome, a.error])).toEqual([
      [1, 'failed', 'injected failure 1 of 2'],
      [2, 'failed', 'injected failure 2 of 2'],
      [3, 'completed', null],
    ]);
    // Temporal's own history agrees: the activity started on its third attempt, after the second failure
    const startedEvent = done.history.find(
      (e: { type: string; activity?: string }) => e.type === 'ActivityTaskStarted' && e.activity === 'SendWelcomeEmail',
    );
    expect(startedEvent).toMatchObject({ attempt: 3, detail: expect.stringContaining('injected failure 2 of 2') });
    // idempotent effects: one email, however many attempts
    expect(
      (
        await db.query('select count(*)::int as n from app_private.outbox where workflow_id = $1', [
          started.json.workflowId,
        ])
      ).rows[0].n,
    ).toBe(1);
  });

  it('fails, explaining why, when an activity keeps failing past its 5 attempts', async () => {
    const alice = await tokenFor('alice@test.com');
    const started = await start(alice, { email: unique('doomed'), failTimes: 6, failActivity: 'CreateDefaultProject' });
    const done = await settled(alice, started.json.workflowId);
    expect(done.status).toBe('FAILED');
    expect(done.failure).toContain('injected failure 5 of 6');
    expect(done.attempts.filter((a: Attempt) => a.activity === 'CreateDefaultProject')).toHaveLength(5);
    expect(
      (
        await db.query('select count(*)::int as n from app_private.projects where created_by_workflow = $1', [
          started.json.workflowId,
        ])
      ).rows[0].n,
    ).toBe(0);
  }, 40_000);

  it('is tenant-scoped: another tenant neither lists nor reads it', async () => {
    const [alice, charlie] = [await tokenFor('alice@test.com'), await tokenFor('charlie@test.com')];
    const started = await start(alice, { email: unique('mine') });
    await settled(alice, started.json.workflowId);
    const mine = await call('GET', gateway('/workflows'), { token: alice });
    expect(mine.json.workflows.map((w: { workflowId: string }) => w.workflowId)).toContain(started.json.workflowId);
    const theirs = await call('GET', gateway('/workflows'), { token: charlie });
    expect(theirs.status).toBe(200);
    expect(theirs.json.workflows.map((w: { workflowId: string }) => w.workflowId)).not.toContain(
      started.json.workflowId,
    );
    expectCleanError(await call('GET', gateway(`/workflows/${started.json.workflowId}`), { token: charlie }), 404);
    const outbox = await call('GET', gateway(`/data/outbox?workflow_id=eq.${started.json.workflowId}`), {
      token: charlie,
    });
    expect(outbox.json).toEqual([]);
  });

  it('a successful /auth/register starts the workflow for the new user', async () => {
    const email = unique('signup');
    const reg = await call('POST', gateway('/auth/register'), {
      body: { email, password: 'correct horse battery staple 42', tenant: 'Test Tenant 1', name: 'Sig' },
    });
    expect(reg.status).toBe(201);
    expect(reg.json.workflow).toEqual({
      workflowId: expect.stringMatching(/^registration-/),
      runId: expect.any(String),
    });
    const done = await settled(reg.json.access_token, reg.json.workflow.workflowId);
    expect(done).toMatchObject({ status: 'COMPLETED', email, input: { email, name: 'Sig', tenantId: T1 } });
  });

  it('while Temporal is down: a clear 503, registrations still succeed, and workflows run again once it is ' +
    'back', async () => {
    const alice = await tokenFor('alice@test.com');
    const admin = { headers: { 'x-apprun-admin-token': stack().adminToken } };
    expect((await call('POST', gateway('/api/stack/temporal/stop'), admin)).json.state).toBe('stopped');
    try {
      const t0 = Date.now();
      const listed = await call('GET', gateway('/workflows'), { token: alice });
      expectCleanError(listed, 503);
      expect(listed.json).toMatchObject({
        error: 'temporal_unavailable',
        temporal: 'stopped',
        message: expect.stringContaining('Temporal is stopped'),
      });
      // Answered from the supervisor's state, not after the 5 s per-call deadline (a generous bound: it needs ~10 ms).
      expect(Date.now() - t0).toBeLessThan(4000);
      expectCleanError(await start(alice, { email: unique('down') }), 503);
      const reg = await call('POST', gateway('/auth/register'), {
        body: {
          email: unique('down-signup'),
          password: 'correct horse battery staple 42',
          tenant: 'Test Tenant 1',
          name: 'Dee',
        },
      });
      expect(reg.status).toBe(201);
      expect(reg.json.workflow.error).toMatch(/the registration workflow did not start: Temporal is stopped/);
    } finally {
      await call('POST', gateway('/api/stack/temporal/start'), admin);
    }
    // the in-process worker reconnects by itself: a new registration completes
    const deadline = Date.now() + 30_000;
    let started = await start(alice, { email: unique('back') });
    while (started.status === 503 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      started = await start(alice, { email: unique('back') });
    }
    expect(started.status).toBe(201);
    expect((await settled(alice, started.json.workflowId)).status).toBe('COMPLETED');
  }, 90_000);

  it('refuses bad input with clear 4xx', async () => {
    const alice = await tokenFor('alice@test.com');
    for (const body of [
      {},
      { email: 'not-an-email' },
      { email: 'a@b.c', failTimes: 11 },
      { email: 'a@b.c', failTimes: -1 },
      { email: 'a@b.c', failActivity: 'DropTables' },
      { email: 'a@b.c', tenantId: T1 },
    ]) {
      expectCleanError(await start(alice, body), 400);
    }
    expectCleanError(await call('GET', gateway('/workflows/registration-does-not-exist'), { token: alice }), 404);
    expectCleanError(await call('GET', gateway('/workflows')), 401);
    expectCleanError(await start('', { email: 'a@b.c' }), 401);
  });
});
