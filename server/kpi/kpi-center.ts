import path from 'node:path';
import type { AppHome } from '../../stack/home.js';
import type { MetricsSampler } from '../../stack/metrics.js';
import type { Supervisor } from '../../stack/supervisor.js';
import { freePort } from '../load/free-port.js';
import { BenchRuns } from './bench-runs.js';
import { describeMachine } from './machine.js';
import { RunStore } from './run-store.js';
import { readStarts } from './start-record.js';

export interface KpiCenterOptions {
  home: AppHome;
  gatewayUrl: string;
  postgrestPort: number;
  supervisor: Supervisor;
  metrics: MetricsSampler;
  devPassword: string;
  warn(message: string): void;
}

/** The KPI center of one running core: its runs (loaded from the app home) and what its suites are given. */
export async function createKpiCenter(o: KpiCenterOptions): Promise<BenchRuns> {
  const tokens = new Map<string, { token: string; at: number }>();
  const runs = new BenchRuns(new RunStore(path.join(o.home.root, 'kpi', 'runs'), o.warn), {
    gatewayUrl: o.gatewayUrl,
    postgrestUrl: `http://127.0.0.1:${o.postgrestPort}`,
    postgrestPort: o.postgrestPort,
    freePort,
    budgetBytes: o.metrics.budgetBytes,
    // A real login, as a client would; kept for 10 of the token's 15 minutes.
    async token(email) {
      const cached = tokens.get(email);
      if (cached && Date.now() - cached.at < 600_000) return cached.token;
      const res = await fetch(`${o.gatewayUrl}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: o.devPassword }),
      });
      const body = (await res.json().catch(() => ({}))) as { access_token?: string; message?: string };
      if (!res.ok || !body.access_token)
        throw new Error(`the seeded user ${email} could not log in (${res.status} ${body.message ?? ''})`);
      tokens.set(email, { token: body.access_token, at: Date.now() });
      return body.access_token;
    },
    usage: () => o.metrics.latest()?.total,
    coreRssBytes: () => process.memoryUsage.rss(),
    starts: () => readStarts(o.home),
    services: () => o.supervisor.snapshot().map(({ name, state, restarts }) => ({ name, state, restarts })),
    machine: () =>
      describeMachine(
        o.supervisor.driver.kind,
        Object.fromEntries(o.supervisor.snapshot().map((s) => [s.name, s.description])),
      ),
  });
  await runs.load();
  return runs;
}
