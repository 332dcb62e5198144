import http from 'node:http';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RouteOptions } from 'fastify';
import { HealthSchema } from './api/schemas/auth.js';
import { NoQuery, responses } from './api/schemas/common.js';
import type { Access } from './auth/access.js';
import accessPlugin from './auth/plugin.js';
import { installErrorHandling } from './errors.js';
import type { EarlyHandler, FeatureInstance } from './feature.js';
import admission from './http/admission.js';
import cors from './http/cors.js';
import hostGuard from './http/host-guard.js';
import type { HostPolicy } from './http/host-policy.js';
import type { UpstreamGates } from './http/upstream-gates.js';
import type { IdleSleeper } from './idle/idle-sleeper.js';
import { adminTokenHook } from './stack-api/admin-token.js';
import tracingHooks from './tracing/gateway-hooks.js';
import type { Tracer } from './tracing/tracer.js';

export interface GatewayDeps {
  /** The platform's features, created (not necessarily started: a route reaches a service only per request). */
  features: readonly FeatureInstance[];
  access: Access;
  gates: UpstreamGates;
  hostPolicy: HostPolicy;
  /** Starts a trace for each tenant request, before either lane sees it. */
  tracer: Tracer;
  /** Wakes a route's upstream when it sleeps, before its gate. */
  sleeper: IdleSleeper;
  /** The per-run token of the admin scope (the control API and the dashboard). */
  adminToken: string;
  /** The gateway's log (logs/gateway.log); none: no log. */
  log?: FastifyBaseLogger;
  /** Sees every route as it is added (the schema test lists them). */
  onRoute?: (route: RouteOptions) => void;
}

/** Request bodies above this are refused with 413 before they are read in full. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * The gateway: the host guard, tokens and RBAC, and the fair gates for every route, then each feature's routes in a
 * scope of their own. Tenant routes sit at the root behind the token check; admin routes in one encapsulated scope
 * behind the admin token. Requests a feature answers early (the data API's fast lane) never reach Fastify.
 */
export async function buildGateway(deps: GatewayDeps): Promise<FastifyInstance> {
  const early = deps.features.flatMap((f) => (f.earlyHandler ? [f.earlyHandler] : []));
  const answeredEarly: EarlyHandler = (req, res) => early.some((handler) => handler(req, res));
  const app = Fastify({
    serverFactory: (handler) =>
      http.createServer((req, res) => {
        deps.tracer.begin(req, res);
        return answeredEarly(req, res) || handler(req, res);
      }),
    ...(deps.log ? { loggerInstance: deps.log } : { logger: false }),
    bodyLimit: BODY_LIMIT_BYTES,
    forceCloseConnections: true,
    return503OnClosing: true,
    // Unknown fields are an error, not silently dropped: a client sending {"role": "admin"} should hear about it.
    ajv: { customOptions: { removeAdditional: false } },
  });
  installErrorHandling(app);
  if (deps.onRoute) app.addHook('onRoute', deps.onRoute);
  await app.register(tracingHooks);
  // First of all hooks: a rebinding page's request is refused before any route or credential is looked at.
  await app.register(hostGuard, { policy: deps.hostPolicy });
  await app.register(cors, { policy: deps.hostPolicy });
  await app.register(fastifyCookie);
  await app.register(accessPlugin, { access: deps.access });
  await app.register(admission, { gates: deps.gates, sleeper: deps.sleeper });
  app.get(
    '/healthz',
    { config: { access: 'public' }, schema: { querystring: NoQuery, response: responses({ 200: HealthSchema }) } },
    async () => ({ status: 'ok' as const }),
  );
  for (const feature of deps.features) if (feature.routes?.scope === 'tenant') await feature.routes.register(app);
  await app.register(async (admin) => {
    // These routes answer to the admin token, not to user tokens and RBAC.
    admin.addHook('onRoute', (route) => {
      route.config = { ...route.config, access: 'admin-token' };
    });
    admin.addHook('onRequest', adminTokenHook(deps.adminToken));
    for (const feature of deps.features) if (feature.routes?.scope === 'admin') await feature.routes.register(admin);
  });
  return app;
}
