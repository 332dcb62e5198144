import path from 'node:path';
import type { RouteOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../stack/package-root.js';
import { buildGateway, type GatewayDeps } from '../app.js';

/**
 * Routes with no schema of their own, and why: the dashboard's static files (served by @fastify/static), and the
 * automatic HEAD twins of schema'd GETs (they share the GET's schema).
 */
const WITHOUT_SCHEMAS: RegExp[] = [/^(GET|HEAD) \/ui\//];

/** The gateway's routes as they are registered: no service is started, nothing listens. */
async function routes(): Promise<RouteOptions[]> {
  const seen: RouteOptions[] = [];
  const deps = {
    postgrestUrl: 'http://127.0.0.1:9',
    ports: { gateway: 8080 },
    jwks: { keys: [] },
    adminToken: 'x',
    devTokens: true,
    rendererDir: path.join(packageRoot(), 'out', 'renderer'),
    onRoute: (route: RouteOptions) => seen.push(route),
  } as unknown as GatewayDeps;
  const app = await buildGateway(deps);
  await app.ready();
  await app.close();
  return seen;
}

const methodsOf = (r: RouteOptions) => (Array.isArray(r.method) ? r.method : [r.method]);
const hasRequest = (r: RouteOptions) =>
  ['body', 'querystring', 'params', 'headers'].some((k) => r.schema && k in r.schema);
const hasResponse = (r: RouteOptions) =>
  !!r.schema?.response && Object.keys(r.schema.response as object).some((status) => /^[23]/.test(status));

describe('every route has a request and a response schema', () => {
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
    ]) {
      expect(ids, id).toContain(id);
    }
  });
});
