import path from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import * as Minio from 'minio';
import pg from 'pg';
import pino from 'pino';
import type { ServiceName } from '../stack/service-identity.js';
import { adminUrl } from '../stack/services/postgres.js';
import { buildGateway } from './app.js';
import { Access } from './auth/access.js';
import { KratosClient } from './auth/kratos-client.js';
import type { Feature, FeatureContext, FeatureInstance } from './feature.js';
import { FEATURES } from './features.js';
import { HostPolicy } from './http/host-policy.js';
import { UpstreamGates } from './http/upstream-gates.js';
import { IdleSleeper, idleSleepMs } from './idle/idle-sleeper.js';
import { wakingMinio } from './idle/waking-minio.js';
import type { PlatformContext } from './platform-context.js';
import { ChangeFeed } from './replica/change-feed.js';
import { secondGatewaysRunning } from './replica/second-gateways.js';
import { TenantPlans } from './tenancy/tenant-plans.js';
import { TraceRing } from './tracing/trace-ring.js';
import { Tracer } from './tracing/tracer.js';

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

function deferred(): Deferred {
  const d = {} as Deferred;
  d.promise = new Promise<void>((resolve, reject) => Object.assign(d, { resolve, reject }));
  d.promise.catch(() => undefined); // its feature's failure is reported by serve()
  return d;
}

/**
 * Everything the core runs on top of the services: the clients of the services, tokens and RBAC, the tenants' fair
 * gates, every feature of server/features.ts, and the gateway. Its module (Fastify, Temporal, MinIO and casbin behind
 * it) is imported while the services start, so a start does not wait for it before spawning them.
 */
export class Platform {
  private readonly db: pg.Pool;
  private readonly access: Access;
  private readonly gates: UpstreamGates;
  private readonly hostPolicy: HostPolicy;
  private readonly tracer: Tracer;
  private readonly sleeper: IdleSleeper;
  private readonly changes: ChangeFeed;
  private readonly logFile: pino.DestinationStream & { end(): void };
  private readonly log: FastifyBaseLogger;
  private readonly features: { feature: Feature; instance: FeatureInstance; started: Deferred }[] = [];
  /** Every start of startFeatures(), settled or not. */
  private starts: Promise<void>[] = [];
  /** The starts under way (their services were healthy), which stop() waits for before stopping what they started. */
  private readonly running = new Set<Promise<void>>();
  private stopping = false;
  private gateway?: FastifyInstance;

  constructor(
    private readonly core: PlatformContext,
    features: readonly Feature[] = FEATURES,
  ) {
    const { ports, secrets, settings, progress, home } = core;
    this.db = new pg.Pool({ connectionString: adminUrl(ports, secrets), max: 4 });
    // An idle client breaks when Postgres restarts; the pool replaces it, and the error must not end the process.
    this.db.on('error', (err) =>
      progress({ service: 'gateway', step: `database connection lost (${err.message}); reconnecting on next use` }),
    );
    this.changes = new ChangeFeed(adminUrl(ports, secrets), (message) =>
      progress({ service: 'gateway', step: message }),
    );
    this.access = new Access(core.signingKey, core.jwks, this.changes);
    const plans = new TenantPlans(this.db, settings.plans);
    this.gates = new UpstreamGates(plans);
    this.hostPolicy = new HostPolicy(ports.gateway, settings.allowedHosts, core.project.config.api?.cors_origins);
    this.sleeper = new IdleSleeper({
      supervisor: core.supervisor,
      // The appliance's sleeper does not see a second gateway's traffic: with one, sleeping is the appliance's call.
      idleMs: core.replica ? 0 : idleSleepMs(settings),
      memoryOf: (name) => core.metrics.latest()?.services[name]?.memoryBytes,
      quiet: (allAsleep) => core.metrics.setQuiet(allAsleep),
      othersServing: () => secondGatewaysRunning(home),
    });
    // On unless APPRUN_TRACING=off; /api/traces/settings turns it off and on while running.
    this.tracer = new Tracer(new TraceRing(), process.env.APPRUN_TRACING !== 'off');
    this.logFile = pino.destination(path.join(home.logsDir, 'gateway.log'));
    this.log = pino({ level: 'warn' }, this.logFile);
    const created = new Map<Feature, FeatureInstance>();
    const context: FeatureContext = {
      core,
      db: this.db,
      minio: wakingMinio(
        new Minio.Client({
          endPoint: '127.0.0.1',
          port: ports.minio,
          useSSL: false,
          accessKey: secrets.minioRootUser,
          secretKey: secrets.minioRootPassword,
        }),
        () => this.sleeper.awake('minio'),
      ),
      kratos: new KratosClient(`http://127.0.0.1:${ports.kratosPublic}`, `http://127.0.0.1:${ports.kratosAdmin}`, () =>
        this.sleeper.awake('kratos'),
      ),
      access: this.access,
      plans,
      gates: this.gates,
      hostPolicy: this.hostPolicy,
      tracer: this.tracer,
      sleeper: this.sleeper,
      changes: this.changes,
      log: this.log,
      use: <T extends FeatureInstance>(feature: Feature<T>): T => {
        const instance = created.get(feature);
        if (!instance) throw new Error(`feature ${feature.name} is used before it is created (see server/features.ts)`);
        return instance as T;
      },
      started: (feature) => {
        const entry = this.features.find((f) => f.feature === feature);
        if (!entry) throw new Error(`feature ${feature.name} is not in server/features.ts`);
        return entry.started.promise;
      },
      afterRestore: () => this.afterRestore(),
    };
    for (const feature of features) {
      const instance = feature.create(context);
      created.set(feature, instance);
      this.features.push({ feature, instance, started: deferred() });
    }
  }

  /** Begins each feature's start (and the policies' load) as soon as the services it needs are healthy. */
  startFeatures(): void {
    const { ports, secrets } = this.core;
    this.starts = [
      this.once(['postgres'], async () => {
        await this.changes.start();
        await this.access.start(adminUrl(ports, secrets), this.db, { migrate: this.core.replica !== 'appliance' });
      }),
      ...this.features.map(({ feature, instance, started }) => {
        const start = this.once(feature.needs ?? [], () => instance.start?.());
        start.then(started.resolve, started.reject);
        return start;
      }),
    ];
    // Handled in serve() or stop(); a start that fails meanwhile is not an unhandled rejection.
    for (const start of this.starts) start.catch(() => undefined);
  }

  private once(needs: readonly ServiceName[], start: () => Promise<void> | undefined): Promise<void> {
    return Promise.all(needs.map((name) => this.core.supervisor.whenHealthy(name))).then(async () => {
      if (this.stopping) return;
      const run = start() ?? Promise.resolve();
      this.running.add(run);
      try {
        await run;
      } finally {
        this.running.delete(run);
      }
    });
  }

  /** Once every service is healthy: the features started, the gateway built meanwhile, then listening. */
  async serve(): Promise<void> {
    const gateway = buildGateway({
      features: this.features.map((f) => f.instance),
      access: this.access,
      gates: this.gates,
      hostPolicy: this.hostPolicy,
      tracer: this.tracer,
      sleeper: this.sleeper,
      adminToken: this.core.adminToken,
      log: this.log,
    }).then((app) => (this.gateway = app));
    // Every path settles before any error is raised, so a failed start stops what the others started.
    const settled = await Promise.allSettled([...this.starts, gateway]);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    this.core.progress({ service: 'gateway', step: 'starting' });
    await this.gateway!.listen({ host: this.core.listenHost ?? '127.0.0.1', port: this.core.ports.gateway });
    this.sleeper.start();
  }

  /** After a snapshot restore or a reset: the policies, then every feature, in line with the data put back. */
  private async afterRestore(): Promise<void> {
    // Side by side: each reads its own part of the restored state.
    await Promise.all([
      this.access.authorizer.reload(this.db),
      ...this.features.map(({ instance }) => instance.afterRestore?.()),
    ]);
  }

  /** The gateway first, then the features in reverse order, then what they shared; safe after a failed start. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.sleeper.stop();
    this.gates.stop();
    await Promise.allSettled([...this.running]);
    await this.gateway?.close().catch(() => undefined);
    for (const { instance } of [...this.features].reverse()) await instance.stop?.().catch(() => undefined);
    await this.access.stop().catch(() => undefined);
    await this.changes.stop();
    await this.db.end().catch(() => undefined);
    this.logFile.end();
  }
}
