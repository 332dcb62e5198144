import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BenchRunView, KpisView } from '../api/contract.js';
import { BenchRuns } from '../kpi/bench-runs.js';
import { KPIS } from '../kpi/registry.js';
import { RunStore } from '../kpi/run-store.js';
import { apprun } from './cli.js';
import { call, expectCleanError, gateway, stack } from './http.js';

// The KPI center on the shared real stack: runs started through the API, measured by the real suites.

const admin = () => ({ 'x-apprun-admin-token': stack().adminToken });
const api = (method: string, p: string, body?: unknown) => call(method, gateway(p), { headers: admin(), body });

/** Polls a run until it ends (the suites' own deadlines end it; this only catches a hang). */
async function finished(id: string, timeoutMs = 240_000): Promise<BenchRunView> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await api('GET', `/api/bench/runs/${id}`);
    expect(res.status).toBe(200);
    if (res.json.state !== 'running') return res.json;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`run ${id} did not end within ${timeoutMs} ms`);
}

async function postgrestHealthy(): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const res = await api('GET', '/api/stack');
    if (res.json.services.find((s: { name: string }) => s.name === 'postgrest')?.state === 'healthy') return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('PostgREST did not come back');
}

describe('the KPI center', () => {
  it('measures every KPI of the registry in one quick run of all suites, one run at a time', async () => {
    const started = await api('POST', '/api/bench/runs', { profile: 'quick' });
    expect(started.status).toBe(202);
    expect(started.json).toMatchObject({ state: 'running', profile: 'quick' });
    expect(started.json.machine.cores).toBeGreaterThan(0);
    expect(started.json.machine.services.postgres).toMatch(/PostgreSQL 15/);

    const second = await api('POST', '/api/bench/runs', { suites: ['rbac'] });
    expectCleanError(second, 409);
    expect(second.json.error).toBe('run_in_progress');

    const run = await finished(started.json.id);
    expect(run.results.map((r) => [r.suite, r.state, r.error])).toEqual(run.suites.map((s) => [s, 'done', undefined]));
    expect(run.state).toBe('done');
    expect(run.peakMemoryBytes).toBeGreaterThan(0);

    const kpis: KpisView = (await api('GET', '/api/kpis')).json;
    expect(kpis.kpis.map((k) => k.id)).toEqual(KPIS.map((k) => k.id));
    for (const k of kpis.kpis) {
      expect(['pass', 'fail'], k.id).toContain(k.verdict);
      expect(k.measured, k.id).toMatch(/\d/);
      expect(k.runId).toBe(run.id);
      expect(k.trend.length).toBeGreaterThan(0);
    }
    // The correctness KPIs must hold on any machine: isolation, RBAC, the workflow's retries.
    for (const id of ['isolation', 'rbac', 'workflow-retry'])
      expect(kpis.kpis.find((k) => k.id === id)!.verdict, id).toBe('pass');
    const isolation = run.results.find((r) => r.suite === 'isolation')!;
    expect(isolation.cases!.length).toBeGreaterThanOrEqual(10);
    expect(isolation.cases!.filter((c) => !c.pass)).toEqual([]);
    expect(run.results.find((r) => r.suite === 'workflow')!.timeline!.length).toBe(4); // 3 welcome attempts + project
    // The resources suite put Kratos, MinIO and Temporal to sleep for its asleep figure, and woke them again.
    const resources = run.results.find((r) => r.suite === 'resources')!.values;
    expect(resources.asleepMemoryMb).toBeGreaterThan(0);
    expect(resources.asleepMemoryMb).toBeLessThan(resources.idleMemoryMb!);
    expect(kpis.kpis.find((k) => k.id === 'memory')!.measured).toMatch(/MB awake, \d+ MB asleep/);
    const services = (await api('GET', '/api/stack')).json.services as { name: string; state: string }[];
    expect(services.filter((s) => s.state !== 'healthy')).toEqual([]);

    // The decision follows the verdicts; each KPI's history names the machine; the screen finds the run again.
    const failing = kpis.kpis.filter((k) => k.verdict === 'fail').map((k) => k.id);
    expect(kpis.decision).toBe(failing.length ? 'no-go' : 'go');
    expect(kpis.blocking.map((k) => k.id).sort()).toEqual(failing.sort());
    expect(kpis.missingSuites).toEqual([]);
    expect(kpis.lastRunId).toBe(run.id);
    const rbac = kpis.kpis.find((k) => k.id === 'rbac')!;
    expect(rbac.history.at(-1)).toMatchObject({ runId: run.id, pass: true, machine: rbac.machine });
    expect(rbac.machine).toMatch(/\d+ cores, [\d.]+ GB, (native|docker)/);

    // The history lists it, newest first.
    const history = await api('GET', '/api/bench/runs');
    expect(history.json.runs[0]).toMatchObject({ id: run.id, state: 'done' });
  }, 300_000);

  it('refuses bad input with a clear error', async () => {
    for (const body of [{ suites: ['nope'] }, { profile: 'slow' }, { suites: [] }, { suites: ['rbac'], extra: 1 }])
      expectCleanError(await api('POST', '/api/bench/runs', body), 400);
    expectCleanError(await api('GET', '/api/bench/runs/no-such-run'), 404);
    expectCleanError(await api('GET', '/api/bench/runs/bad!id'), 400);
    expectCleanError(await api('GET', '/api/kpis/report?format=pdf'), 400);
    expectCleanError(await call('GET', gateway('/api/kpis')), 401);
    expectCleanError(await call('POST', gateway('/api/bench/runs'), { body: {} }), 401);
  });

  it('ends a run as error, naming the service, when PostgREST is killed under it', async () => {
    const started = await api('POST', '/api/bench/runs', { suites: ['data'], profile: 'quick' });
    expect(started.status).toBe(202);
    // Once the load is going, kill PostgREST the hard way; the supervisor restarts it.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const run = (await api('GET', `/api/bench/runs/${started.json.id}`)).json as BenchRunView;
      if (run.progress.step.includes('round')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const pid = (await api('GET', '/api/stack')).json.services.find(
      (s: { name: string }) => s.name === 'postgrest',
    ).pid;
    process.kill(pid, 'SIGKILL');
    const run = await finished(started.json.id, 120_000);
    expect(run.state).toBe('error');
    expect(run.error).toMatch(/postgrest/i);
    expect(run.results[0]).toMatchObject({ suite: 'data', state: 'error' });
    await postgrestHealthy();
  }, 180_000);

  it('keeps its runs across a restart, skipping a results file it cannot read', async () => {
    const live: KpisView = (await api('GET', '/api/kpis')).json;
    // What a restarted core does: load the app home's runs afresh (here from a copy, with a foreign file added).
    const copy = await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-kpi-runs-'));
    await fs.cp(path.join(stack().home, 'kpi', 'runs'), copy, { recursive: true });
    await fs.writeFile(path.join(copy, 'from-the-future.json'), JSON.stringify({ format: 'apprun-bench-run/9' }));
    await fs.writeFile(path.join(copy, 'torn.json'), '{"format": "apprun-bench');
    const warnings: string[] = [];
    const reloaded = new BenchRuns(new RunStore(copy, (w) => warnings.push(w)), {} as never);
    await reloaded.load();
    expect(reloaded.kpis().kpis.map((k) => [k.id, k.verdict, k.measured])).toEqual(
      live.kpis.map((k) => [k.id, k.verdict, k.measured]),
    );
    expect(warnings).toHaveLength(2);
    expect(warnings.join('\n')).toMatch(/from-the-future\.json.*torn\.json|torn\.json.*from-the-future\.json/s);
    await fs.rm(copy, { recursive: true, force: true });
  });

  it('writes the POC report with every KPI and its stored number, and a Go/No-Go', async () => {
    const kpis: KpisView = (await api('GET', '/api/kpis')).json;
    const md = await api('GET', '/api/kpis/report?format=md');
    expect(md.status).toBe(200);
    expect(String(md.headers['content-type'])).toMatch(/^text\/markdown/);
    const html = await api('GET', '/api/kpis/report');
    expect(String(html.headers['content-disposition'])).toBe('attachment; filename="apprun-poc-report.html"');
    for (const k of kpis.kpis) {
      expect(md.text).toContain(k.name);
      expect(md.text).toContain(k.measured!);
      expect(html.text).toContain(k.name);
    }
    expect(md.text).toMatch(/\*\*(Go|No-Go)\*\*/);
    expect(md.text).toContain('## Tenant isolation cases');
    expect(html.text).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it('runs from the CLI: apprun kpi prints the verdicts and apprun report writes both files', async () => {
    const res = await apprun(['kpi', '--home', stack().home, '--suite', 'rbac,isolation']);
    expect(res.stdout).toMatch(/RBAC: role × action matrix .* PASS/);
    expect(res.stdout).toMatch(/tenant isolation: attack matrix .* PASS/);
    expect(res.stdout).toMatch(/^Decision: (Go|No-Go|incomplete) \(\d+ of \d+ KPIs pass\)$/m);
    expect(res.code).toBe(0);
    const bad = await apprun(['kpi', '--home', stack().home, '--suite', 'speed']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unknown suite speed; known: data, auth/);
    const out = await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-report-'));
    const report = await apprun(['report', '--home', stack().home, '--out', out]);
    expect(report.code).toBe(0);
    expect((await fs.readdir(out)).sort()).toEqual(['apprun-poc-report.html', 'apprun-poc-report.md']);
    await fs.rm(out, { recursive: true, force: true });
  }, 120_000);
});
