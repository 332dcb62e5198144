import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import * as Minio from 'minio';
import pg from 'pg';
import type { Driver } from '../stack/driver.js';
import type { AppHome } from '../stack/home.js';
import type { MetricsSampler } from '../stack/metrics.js';
import { packageRoot } from '../stack/package-root.js';
import type { PortMap } from '../stack/ports.js';
import type { StackSecrets } from '../stack/secrets.js';
import { adminUrl } from '../stack/services/postgres.js';
import { TOKEN_AUDIENCE } from '../stack/services/postgrest.js';
import type { SnapshotStore } from '../stack/snapshots.js';
import type { ProgressFn } from '../stack/spec.js';
import type { Supervisor } from '../stack/supervisor.js';
import { buildGateway } from './app.js';
import { syncIdentities } from './auth/identities.js';
import { KratosClient } from './auth/kratos-client.js';
import type { jwksOf, SigningKey } from './auth/signing-keys.js';
import { TokenIssuer, TokenVerifier } from './auth/tokens.js';
import { TenantGuard } from './data/tenant-guard.js';
import { FunctionPool } from './functions/function-pool.js';
import { FunctionService } from './functions/function-service.js';
import { ModulePreparer } from './functions/preparer.js';
import { UpstreamGates } from './http/upstream-gates.js';
import type { BenchRuns } from './kpi/bench-runs.js';
import { createKpiCenter } from './kpi/kpi-center.js';
import { Authorizer } from './rbac/authorizer.js';
import { DEFAULT_DEV_PASSWORD, type Settings } from './settings.js';
import { exportUsers, importUsers, type KeptUser } from './snapshots/kept-users.js';
import { SnapshotService } from './snapshots/snapshot-service.js';
import { StorageService } from './storage/storage-service.js';
import { TenantPlans } from './tenancy/tenant-plans.js';
import { OnDemandWorker } from './workflows/on-demand-worker.js';
import { WorkflowService } from './workflows/workflow-service.js';

/** What the platform runs on: the core's home, ports and secrets, and the services it supervises. */
export interface PlatformContext {
  home: AppHome;
  ports: PortMap;
  settings: Settings;
  secrets: StackSecrets;
  signingKey: SigningKey;
  jwks: ReturnType<typeof jwksOf>;
  store: SnapshotStore;
  supervisor: Supervisor;
  driver: Driver;
  metrics: MetricsSampler;
  progress: ProgressFn;
  adminToken: string;
  devTokens: boolean;
  gatewayUrl: string;
}

/**
 * Everything the core runs on top of the services: identities and policies, functions, storage, workflows, the KPI
 * center and the gateway. Its module (with Fastify, Temporal, MinIO and casbin behind it, ~1.5 s to load) is imported
 * while the services start, so a start does not wait for it before spawning them.
 */
export class Platform {
  private readonly db: pg.Pool;
  private gateway?: FastifyInstance;
  private authorizer?: Authorizer;
  private functions?: FunctionService;
  private workflows?: WorkflowService;
  private worker?: OnDemandWorker;
  private gates?: UpstreamGates;
  private benchRuns?: BenchRuns;

  constructor(private readonly ctx: PlatformContext) {
    this.db = new pg.Pool({ connectionString: adminUrl(ctx.ports, ctx.secrets), max: 4 });
    // An idle client breaks when Postgres restarts; the pool replaces it, and the error must not end the process.
    this.db.on('error', (err) =>
      ctx.progress({
        service: 'gateway',
        step: `database connection lost (${err.message}); reconnecting on next use`,
      }),
    );
  }

  /**
   * The workflow client, and the worker if a workflow is open; they need only Temporal, so they start beside the other
   * services. Otherwise the worker starts with the first workflow.
   */
  async startWorkflows(): Promise<void> {
    const { ports, supervisor, home, progress } = this.ctx;
    const workflows = await WorkflowService.connect({
      address: `127.0.0.1:${ports.temporal}`,
      db: this.db,
      temporalUiUrl: `http://127.0.0.1:${ports.temporalUi}`,
      temporalState: () => supervisor.snapshot().find((s) => s.name === 'temporal')?.state,
      workerReady: () => this.worker!.start(),
    });
    this.workflows = workflows;
    this.worker = new OnDemandWorker({
      address: `127.0.0.1:${ports.temporal}`,
      db: this.db,
      logFile: path.join(home.logsDir, 'workflow-worker.log'),
      onEvent: (step) => progress({ service: 'workflows', step }),
      hasOpenWorkflows: () => workflows.hasOpenWorkflows(),
    });
    await this.worker.startIfNeeded();
  }

  /** Once every service is healthy: the rest of the platform, then the gateway listening. */
  async start(workflowsStarted: Promise<void>): Promise<void> {
    const { home, ports, settings, secrets, progress, supervisor, metrics } = this.ctx;
    const db = this.db;
    const kratos = new KratosClient(`http://127.0.0.1:${ports.kratosPublic}`, `http://127.0.0.1:${ports.kratosAdmin}`);
    // Independent start-up paths side by side: identities, policies, workflows, storage. The gateway is built once
    // all but the identities are done, and listens once they are too (a seeded user can log in from the first request).
    const identities = (async () => {
      const created = await syncIdentities(db, kratos, settings);
      if (created) progress({ service: 'kratos', step: `created ${created} identities for the seeded users` });
    })();
    // Awaited only once the gateway is built: without a handler meanwhile, a failure here would be an unhandled
    // rejection (which ends the process) instead of a failed start that stops what the others started.
    identities.catch(() => undefined);
    const policies = (async () => {
      this.authorizer = await Authorizer.create(adminUrl(ports, secrets));
      await this.authorizer.sync(db);
    })();
    const minio = new Minio.Client({
      endPoint: '127.0.0.1',
      port: ports.minio,
      useSSL: false,
      accessKey: secrets.minioRootUser,
      secretKey: secrets.minioRootPassword,
    });
    const plans = new TenantPlans(db, settings.plans);
    const gates = new UpstreamGates(plans);
    this.gates = gates;
    const functions = new FunctionService(db, minio, new FunctionPool(), new ModulePreparer(), plans);
    this.functions = functions;
    const storage = new StorageService(minio);
    const storageStarted = Promise.all([functions.start(), storage.start()]);
    // Every path settles before any error is raised, so a failed start stops what the others started.
    const settled = await Promise.allSettled([policies, workflowsStarted, storageStarted]);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await identities.catch(() => undefined);
      throw failed.reason;
    }
    const authorizer = this.authorizer!;
    const snapshots = new SnapshotService({
      home,
      store: this.ctx.store,
      supervisor,
      driver: this.ctx.driver,
      db,
      progress,
      afterRestore: async () => {
        await syncIdentities(db, kratos, settings);
        await authorizer.reload(db);
        await Promise.all([functions.start(), storage.start()]);
      },
      users: {
        export: () => exportUsers(db, kratos),
        import: (users) => importUsers(db, kratos, authorizer, users as KeptUser[]),
      },
    });
    progress({ service: 'gateway', step: 'starting' });
    this.benchRuns = await createKpiCenter({
      home,
      gatewayUrl: this.ctx.gatewayUrl,
      postgrestPort: ports.postgrest,
      supervisor,
      metrics,
      devPassword: settings.devPassword ?? DEFAULT_DEV_PASSWORD,
      warn: (step) => progress({ service: 'gateway', step }),
    });
    this.gateway = await buildGateway({
      benchRuns: this.benchRuns,
      snapshots,
      gates,
      plans,
      kratos,
      authorizer,
      functions,
      workflows: this.workflows!,
      workflowWorker: () => this.worker?.state ?? { state: 'stopped' },
      storage,
      postgrestUrl: `http://127.0.0.1:${ports.postgrest}`,
      db,
      verifier: new TokenVerifier(this.ctx.jwks, TOKEN_AUDIENCE),
      issuer: new TokenIssuer(this.ctx.signingKey, TOKEN_AUDIENCE),
      jwks: this.ctx.jwks,
      guard: await TenantGuard.discover(db),
      adminToken: this.ctx.adminToken,
      devTokens: this.ctx.devTokens,
      supervisor,
      metrics,
      home,
      ports,
      allowedHosts: settings.allowedHosts,
      rendererDir: path.join(packageRoot(), 'out', 'renderer'),
      logFile: path.join(home.logsDir, 'gateway.log'),
    });
    await identities;
    await this.gateway.listen({ host: '127.0.0.1', port: ports.gateway });
  }

  /** The gateway first, then what it used; safe after a failed start. */
  async stop(): Promise<void> {
    this.gates?.stop();
    await this.benchRuns?.stop();
    await this.gateway?.close().catch(() => undefined);
    await this.functions?.stop().catch(() => undefined);
    // The worker first: a workflow mid-flight simply waits in Temporal for the next start.
    await this.worker?.stop().catch(() => undefined);
    await this.workflows?.close().catch(() => undefined);
    await this.authorizer?.close().catch(() => undefined);
    await this.db.end().catch(() => undefined);
  }
}
