// The contract every feature of the platform implements: a folder under server/ exports one `Feature`, and
// server/features.ts lists them. The platform creates each from the shared context, starts it once the services it
// needs are healthy, registers its routes in a scope of their own, and stops it; nothing else has to know it exists.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type * as Minio from 'minio';
import type pg from 'pg';
import type { ServiceName } from '../stack/service-identity.js';
import type { Access } from './auth/access.js';
import type { KratosClient } from './auth/kratos-client.js';
import type { HostPolicy } from './http/host-policy.js';
import type { UpstreamGates } from './http/upstream-gates.js';
import type { IdleSleeper } from './idle/idle-sleeper.js';
import type { PlatformContext } from './platform-context.js';
import type { ChangeFeed } from './replica/change-feed.js';
import type { TenantPlans } from './tenancy/tenant-plans.js';
import type { Tracer } from './tracing/tracer.js';

/** What every feature is created from: the core's context, the clients of the services, and the shared gateway parts. */
export interface FeatureContext {
  /** What the core runs on: home, ports, settings, secrets, the supervisor and its driver, metrics, progress. */
  core: PlatformContext;
  db: pg.Pool;
  minio: Minio.Client;
  kratos: KratosClient;
  /** Tokens and RBAC: who the caller is and what their tenant's policy lets them do. */
  access: Access;
  /** Tenants' plans, and the fair gates in front of the upstreams they share. */
  plans: TenantPlans;
  gates: UpstreamGates;
  /** Which Host and Origin the gateway answers to. */
  hostPolicy: HostPolicy;
  /** Every tenant request's trace (features add the spans of their own hops through `traceOf(request.raw)`). */
  tracer: Tracer;
  /** Puts idle services to sleep and wakes them: a feature holds one awake (`holdAwake`) or lets go first. */
  sleeper: IdleSleeper;
  /** What this gateway changes in state every gateway holds in memory, told to the others on the same database. */
  changes: ChangeFeed;
  /** The gateway's log (logs/gateway.log). */
  log: FastifyBaseLogger;
  /** Another feature, created before this one (the list's order); throws for one that is not. */
  use<T extends FeatureInstance>(feature: Feature<T>): T;
  /** Resolves once that feature has started (for a start that needs another's: a bucket, a connection). */
  started(feature: Feature): Promise<void>;
  /** Brings the platform's and every feature's state in line with data a snapshot restore or a reset put back. */
  afterRestore(): Promise<void>;
}

/**
 * Who may call a feature's routes: 'tenant' routes sit behind a gateway token and the tenant's RBAC policy (a route
 * may declare `config.access: 'public'`); 'admin' routes behind the per-run admin token of the control API.
 */
export type RouteScope = 'tenant' | 'admin';

export interface FeatureRoutes {
  scope: RouteScope;
  /** Registers the feature's plugin (with its prefix and options) on the scope: `app.register(plugin, {...})`. */
  register(app: FastifyInstance): PromiseLike<unknown>;
}

/** A handler that answers a request before Fastify parses it; true when it took the request. */
export type EarlyHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface FeatureInstance {
  /** What needs the services (connections, buckets, loading state): run once the feature's `needs` are healthy. */
  start?(): Promise<void>;
  routes?: FeatureRoutes;
  /** Requests this feature answers before Fastify does (the data API's fast lane). */
  earlyHandler?: EarlyHandler;
  /** After a snapshot restore or a reset: its state brought in line with the data put back. */
  afterRestore?(): Promise<void>;
  /** Safe after a failed or partial start. */
  stop?(): Promise<void>;
}

export interface Feature<T extends FeatureInstance = FeatureInstance> {
  readonly name: string;
  /** Services its start needs healthy; it starts as soon as they are, beside the others. */
  readonly needs?: readonly ServiceName[];
  /** Builds the feature without I/O: services may not be up yet, and the route test creates every feature offline. */
  create(context: FeatureContext): T;
}

/** Declares a feature with its instance's type kept, so `use(feature)` is typed. */
export const defineFeature = <T extends FeatureInstance>(feature: Feature<T>): Feature<T> => feature;
