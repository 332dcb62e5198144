import http from 'node:http';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import type { JSONWebKeySet } from 'jose';
import type pg from 'pg';
import type { AppHome } from '../stack/home.js';
import type { MetricsSampler } from '../stack/metrics.js';
import type { PortMap } from '../stack/ports.js';
import type { Supervisor } from '../stack/supervisor.js';
import type { StackView } from './api/contract.js';
import { HealthSchema } from './api/schemas/auth.js';
import { NoQuery, responses } from './api/schemas/common.js';
import type { KratosClient } from './auth/kratos-client.js';
import accessPlugin from './auth/plugin.js';
import authRoutes from './auth/routes.js';
import type { TokenIssuer, TokenVerifier } from './auth/tokens.js';
import { DataProxy } from './data/data-proxy.js';
import { dataFastLane } from './data/fast-lane.js';
import dataPlugin from './data/plugin.js';
import type { TenantGuard } from './data/tenant-guard.js';
import { installErrorHandling } from './errors.js';
import type { FunctionService } from './functions/function-service.js';
import functionsPlugin from './functions/plugin.js';
import admission from './http/admission.js';
import hostGuard from './http/host-guard.js';
import { HostPolicy } from './http/host-policy.js';
import type { UpstreamGates } from './http/upstream-gates.js';
import type { BenchRuns } from './kpi/bench-runs.js';
import kpiApiPlugin from './kpi/plugin.js';
import type { Authorizer } from './rbac/authorizer.js';
import snapshotsPlugin from './snapshots/plugin.js';
import type { SnapshotService } from './snapshots/snapshot-service.js';
import stackApiPlugin from './stack-api/plugin.js';
import storagePlugin from './storage/plugin.js';
import type { StorageService } from './storage/storage-service.js';
import type { TenantPlans } from './tenancy/tenant-plans.js';
import uiPlugin from './ui/plugin.js';
import workflowsPlugin from './workflows/plugin.js';
import type { WorkflowService } from './workflows/workflow-service.js';

export interface GatewayDeps {
  postgrestUrl: string;
  db: pg.Pool;
  verifier: TokenVerifier;
  issuer: TokenIssuer;
  jwks: JSONWebKeySet;
  guard: TenantGuard;
  kratos: KratosClient;
  authorizer: Authorizer;
  functions: FunctionService;
  workflows: WorkflowService;
  workflowWorker: () => StackView['workflowWorker'];
  storage: StorageService;
  adminToken: string;
  devTokens: boolean;
  /** Admission to the upstreams, fair between tenants. */
  gates: UpstreamGates;
  plans: TenantPlans;
  /** The KPI center's runs. */
  benchRuns: BenchRuns;
  snapshots: SnapshotService;
  supervisor: Supervisor;
  metrics: MetricsSampler;
  home: AppHome;
  ports: PortMap;
  /** Names besides loopback this gateway answers to (settings' allowedHosts), normalized. */
  allowedHosts?: readonly string[];
  /** The built dashboard served at /ui. */
  rendererDir: string;
  /** Pino destination for the gateway's log (a file under APPRUN_HOME/logs), or false. */
  logFile?: string;
  /** Sees every route as it is added (the schema test lists them). */
  onRoute?: (route: RouteOptions) => void;
}

/** Request bodies above this are refused with 413 before they are read in full. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export async function buildGateway(deps: GatewayDeps): Promise<FastifyInstance> {
  const hostPolicy = new HostPolicy(deps.ports.gateway, deps.allowedHosts);
  // The data API's reads and a flood's refusals are answered before Fastify parses them (data/fast-lane.ts); the lane
  // is set up once the app's logger exists, before the server listens.
  let fastLane: ((req: http.IncomingMessage, res: http.ServerResponse) => boolean) | undefined;
  const app = Fastify({
    serverFactory: (handler) => http.createServer((req, res) => fastLane?.(req, res) || handler(req, res)),
    logger: deps.logFile ? { level: 'warn', file: deps.logFile } : false,
    bodyLimit: BODY_LIMIT_BYTES,
    forceCloseConnections: true,
    return503OnClosing: true,
    // Unknown fields are an error, not silently dropped: a client sending {"role": "admin"} should hear about it.
    ajv: { customOptions: { removeAdditional: false } },
  });
  installErrorHandling(app);
  const dataPrefix = '/data';
  const dataProxy = new DataProxy(deps.postgrestUrl, deps.guard, dataPrefix, app.log);
  app.addHook('onClose', () => dataProxy.close());
  fastLane = dataFastLane({
    policy: hostPolicy,
    verifier: deps.verifier,
    authorizer: deps.authorizer,
    gates: deps.gates,
    proxy: dataProxy,
    log: app.log,
  });
  if (deps.onRoute) app.addHook('onRoute', deps.onRoute);
  // First of all hooks: a rebinding page's request is refused before any route or credential is looked at.
  await app.register(hostGuard, { policy: hostPolicy });
  await app.register(fastifyCookie);

  await app.register(accessPlugin, { verifier: deps.verifier, authorizer: deps.authorizer, jwks: deps.jwks });
  await app.register(admission, { gates: deps.gates });
  app.get(
    '/healthz',
    { config: { access: 'public' }, schema: { querystring: NoQuery, response: responses({ 200: HealthSchema }) } },
    async () => ({ status: 'ok' as const }),
  );
  await app.register(authRoutes, {
    prefix: '/auth',
    db: deps.db,
    kratos: deps.kratos,
    issuer: deps.issuer,
    verifier: deps.verifier,
    authorizer: deps.authorizer,
    workflows: deps.workflows,
    devTokens: deps.devTokens,
  });
  await app.register(dataPlugin, { prefix: dataPrefix, proxy: dataProxy });
  await app.register(functionsPlugin, { prefix: '/functions', functions: deps.functions });
  await app.register(workflowsPlugin, { prefix: '/workflows', workflows: deps.workflows });
  await app.register(storagePlugin, { prefix: '/storage', storage: deps.storage });
  await app.register(stackApiPlugin, {
    adminToken: deps.adminToken,
    supervisor: deps.supervisor,
    metrics: deps.metrics,
    home: deps.home,
    ports: deps.ports,
    workflowWorker: deps.workflowWorker,
    admission: () => deps.gates.view(),
    plans: deps.plans,
    allowedHosts: hostPolicy.allowedHosts,
  });
  await app.register(kpiApiPlugin, { adminToken: deps.adminToken, runs: deps.benchRuns });
  await app.register(snapshotsPlugin, { adminToken: deps.adminToken, snapshots: deps.snapshots });
  await app.register(uiPlugin, { adminToken: deps.adminToken, rendererDir: deps.rendererDir });
  return app;
}
