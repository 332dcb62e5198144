import type { RouteOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { Supervisor } from '../../stack/supervisor.js';
import { buildGateway } from '../app.js';
import type { Access } from '../auth/access.js';
import type { FeatureContext, FeatureInstance } from '../feature.js';
import { FEATURES } from '../features.js';
import { HostPolicy } from '../http/host-policy.js';
import type { UpstreamGates } from '../http/upstream-gates.js';
import { IdleSleeper } from '../idle/idle-sleeper.js';
import type { PlatformContext } from '../platform-context.js';
import { builtInProject } from '../project/project.js';
import { TraceRing } from '../tracing/trace-ring.js';
import { Tracer } from '../tracing/tracer.js';

/**
 * Routes with no schema of their own, and why: the dashboard's static files (served by @fastify/static), the
 * automatic HEAD twins of schema'd GETs (they share the GET's schema), and @fastify/cors' preflight route (answered in
 * its hook, before any route).
 */
const WITHOUT_SCHEMAS: RegExp[] = [/^(GET|HEAD) \/ui\//, /^OPTIONS \*$/];

/**
 * The gateway's routes as every feature of server/features.ts registers them: the features are created from a
 * context of inert stand-ins (creating one does no I/O), no service is started, nothing listens.
 */
async function routes(): Promise<RouteOptions[]> {
  const seen: RouteOptions[] = [];
  const core = {
    ports: { gateway: 8080, postgrest: 9, temporal: 9, temporalUi: 9 },
    home: { root: '/nonexistent', logsDir: '/nonexistent/logs' },
    settings: {},
    metrics: { budgetBytes: 1 },
    progress: () => undefined,
    devTokens: true,
    project: builtInProject(),
  } as unknown as PlatformContext;
  const created = new Map<unknown, FeatureInstance>();
  const context = {
    core,
    hostPolicy: new HostPolicy(8080),
    tracer: new Tracer(new TraceRing()),
    sleeper: new IdleSleeper({ supervisor: {} as Supervisor, idleMs: 0 }),
    access: { jwks: { keys: [] } },
    log: { warn: () => undefined, error: () => undefined },
    use: (feature: unknown) => created.get(feature),
  } as unknown as FeatureContext;
  for (const feature of FEATURES) created.set(feature, feature.create(context));
  const app = await buildGateway({
    features: [...created.values()],
    access: context.access as Access,
    gates: {} as UpstreamGates,
    hostPolicy: context.hostPolicy,
    tracer: context.tracer,
    sleeper: context.sleeper,
    adminToken: 'x',
    onRoute: (route: RouteOptions) => seen.push(route),
  });
  await app.ready();
  await app.close();
  return seen;
}

const methodsOf = (r: RouteOptions) => (Array.isArray(r.method) ? r.method : [r.method]);
const hasRequest = (r: RouteOptions) =>
  ['body', 'querystring', 'params', 'headers'].some((k) => r.schema && k in r.schema);
const hasResponse = (r: RouteOptions) =>
  !!r.schema?.response && Object.keys(r.schema.response as object).some((status) => /^[23]/.test(status));

describe('every route has a request and a response schema, and an access level', () => {
  it('lists the API surface, and none lacks a schema but the allow-listed', async () => {
    const all = await routes();
    const lacking = all
      .flatMap((r) => methodsOf(r).map((m) => ({ id: `${m} ${r.url}`, route: r })))
      .filter(
        ({ id, route }) => !(WITHOUT_SCHEMAS.some((re) => re.test(id)) || (hasRequest(route) && hasResponse(route))),
      )
      .map(
        ({ id, route }) =>
          `${id}${hasRequest(route) ? '' : ' (no request schema)'}${hasResponse(route) ? '' : ' (no response schema)'}`,
      );
    expect(lacking).toEqual([]);
    // The surface DESIGN.md names is all there (a route that vanished would pass the check above).
    const ids = new Set(all.flatMap((r) => methodsOf(r).map((m) => `${m} ${r.url}`)));
    for (const id of [
      'GET /healthz',
      'POST /auth/login',
      'POST /auth/register',
      'GET /.well-known/jwks.json',
      'DELETE /data/*',
      'POST /functions/',
      'POST /functions/:name/invoke',
      'GET /workflows/:id',
      'PUT /storage/*',
      'GET /api/stack',
      'POST /api/stack/:service/:action',
      'PUT /api/settings',
      'GET /api/kpis',
      'POST /api/snapshots',
      'GET /api/project',
      'POST /api/project/db/reset',
      'GET /api/mail',
      'GET /api/mail/:id',
      'POST /auth/recovery',
      'POST /auth/recovery/code',
      'POST /auth/verify',
      'GET /ui/*',
    ]) {
      expect(ids, id).toContain(id);
    }
  });

  it('puts every control route behind the admin token, and every other route behind a user token unless public', async () => {
    const all = await routes();
    const access = (url: string) => all.find((r) => r.url === url)?.config?.access ?? 'user';
    // The admin scope marks its routes; a tenant route that says nothing is closed (a user token and RBAC).
    const control = (r: RouteOptions) => /^\/(api|ui)\//.test(r.url);
    for (const route of all.filter(control))
      expect(route.config?.access, `${route.method} ${route.url}`).toBe('admin-token');
    for (const route of all.filter((r) => !control(r)))
      expect(['user', 'public'], `${route.method} ${route.url}`).toContain(route.config?.access ?? 'user');
    expect(access('/data/*')).toBe('user');
    expect(access('/functions/:name/invoke')).toBe('user');
    expect(access('/healthz')).toBe('public');
    expect(access('/auth/login')).toBe('public');
    expect(access('/auth/policies')).toBe('user');
  });
});
