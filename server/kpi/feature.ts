import path from 'node:path';
import { defineFeature } from '../feature.js';
import { freePort } from '../load/free-port.js';
import { tenantOf } from '../project/config.js';
import type { Project } from '../project/project.js';
import { DEFAULT_DEV_PASSWORD } from '../settings.js';
import { BenchRuns } from './bench-runs.js';
import { describeMachine } from './machine.js';
import kpiApiPlugin from './plugin.js';
import { RunStore } from './run-store.js';
import { readStarts } from './start-record.js';
import type { KpiPeople } from './suites/suite.js';

/**
 * The dev users the suites act as, from the project's config: a tenant with an admin and a user, and another tenant's
 * admin; or why the config has none.
 */
export function kpiPeople({ config }: Project): KpiPeople | string {
  const users = config.users ?? [];
  const of = (tenant: string, role: string) =>
    users.find((u) => tenantOf(config, u.tenant)?.name === tenant && u.role === role)?.email;
  const first = config.tenants.find((t) => of(t.name, 'admin') && of(t.name, 'user'));
  const other = config.tenants.find((t) => t !== first && of(t.name, 'admin'));
  if (!first || !other)
    return (
      'the KPI suites act as dev users of apprun/config.toml: they need a tenant with an admin and a user, and ' +
      'another tenant with an admin'
    );
  return { admin: of(first.name, 'admin')!, user: of(first.name, 'user')!, otherAdmin: of(other.name, 'admin')! };
}

/** The KPI center: its runs (kept in the app home), what its suites are given, and /api/kpis + /api/bench. */
export const kpiFeature = defineFeature({
  name: 'kpi',
  create({ core, sleeper }) {
    const { home, ports, supervisor, metrics, gatewayUrl, progress } = core;
    const devPassword = core.settings.devPassword ?? DEFAULT_DEV_PASSWORD;
    const people = kpiPeople(core.project);
    const tokens = new Map<string, { token: string; at: number }>();
    const postgrestUrl = `http://127.0.0.1:${ports.postgrest}`;
    const store = new RunStore(path.join(home.root, 'kpi', 'runs'), (step) => progress({ service: 'gateway', step }));
    const runs = new BenchRuns(store, {
      gatewayUrl,
      postgrestUrl,
      postgrestPort: ports.postgrest,
      freePort,
      budgetBytes: metrics.budgetBytes,
      // A real login, as a client would; kept for 10 of the token's 15 minutes.
      async token(email) {
        const cached = tokens.get(email);
        if (cached && Date.now() - cached.at < 600_000) return cached.token;
        const res = await fetch(`${gatewayUrl}/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password: devPassword }),
        });
        const body = (await res.json().catch(() => ({}))) as { access_token?: string; message?: string };
        if (!res.ok || !body.access_token)
          throw new Error(`the dev user ${email} could not log in (${res.status} ${body.message ?? ''})`);
        tokens.set(email, { token: body.access_token, at: Date.now() });
        return body.access_token;
      },
      people() {
        if (typeof people === 'string') throw new Error(people);
        return people;
      },
      usage: () => metrics.latest()?.total,
      coreRssBytes: () => process.memoryUsage.rss(),
      starts: () => readStarts(home),
      services: () => supervisor.snapshot().map(({ name, state, restarts }) => ({ name, state, restarts })),
      pinAwake: () => sleeper.pin(),
      wakeAll: () => sleeper.wakeAll(),
      sleepAll: () => sleeper.sleepNow(),
      machine: () =>
        describeMachine(
          supervisor.driver.kind,
          Object.fromEntries(supervisor.snapshot().map((s) => [s.name, s.description])),
        ),
    });
    return {
      runs,
      start: () => runs.load(),
      routes: { scope: 'admin', register: (app) => app.register(kpiApiPlugin, { runs }) },
      stop: () => runs.stop(),
    };
  },
});
