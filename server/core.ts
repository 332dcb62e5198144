import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import * as Minio from 'minio';
import pg from 'pg';
import { DockerDriver } from '../stack/docker/docker-driver.js';
import { connectEngine } from '../stack/docker/engine.js';
import { AppHome, readJsonIfExists, resolveHomeDir, writePrivateFile } from '../stack/home.js';
import { MetricsSampler } from '../stack/metrics.js';
import { NativeDriver } from '../stack/native-driver.js';
import { packageRoot } from '../stack/package-root.js';
import { isAlive } from '../stack/pid-files.js';
import { assertPortFree, type PortMap, parsePortBase, portMap } from '../stack/ports.js';
import { loadOrCreateSecrets } from '../stack/secrets.js';
import type { ServiceNetwork } from '../stack/services/definition.js';
import { adminUrl } from '../stack/services/postgres.js';
import { TOKEN_AUDIENCE } from '../stack/services/postgrest.js';
import { homeIdOf, SnapshotStore, timestampName } from '../stack/snapshots.js';
import type { ProgressFn } from '../stack/spec.js';
import { portOwners, stackSpecs } from '../stack/stack.js';
import { Supervisor } from '../stack/supervisor.js';
import { buildGateway } from './app.js';
import { syncIdentities } from './auth/identities.js';
import { KratosClient } from './auth/kratos-client.js';
import { jwksOf, loadOrCreateSigningKey } from './auth/signing-keys.js';
import { TokenIssuer, TokenVerifier } from './auth/tokens.js';
import { TenantGuard } from './data/tenant-guard.js';
import { entryPoint } from './entry-points.js';
import { FunctionPool } from './functions/function-pool.js';
import { FunctionService } from './functions/function-service.js';
import { ModulePreparer } from './functions/preparer.js';
import { UpstreamGates } from './http/upstream-gates.js';
import type { BenchRuns } from './kpi/bench-runs.js';
import { createKpiCenter, recordStart } from './kpi/kpi-center.js';
import { Authorizer } from './rbac/authorizer.js';
import { DEFAULT_DEV_PASSWORD, loadSettings, type Settings } from './settings.js';
import { exportUsers, importUsers, type KeptUser } from './snapshots/kept-users.js';
import {
  currentVersions,
  type DataVersions,
  recordVersions,
  SnapshotService,
  saveAtRest,
  upgradeFrom,
} from './snapshots/snapshot-service.js';
import { StorageService } from './storage/storage-service.js';
import { TenantPlans } from './tenancy/tenant-plans.js';
import { WorkflowWorker } from './workflows/worker.js';
import { WorkflowService } from './workflows/workflow-service.js';

export interface CoreOptions {
  home?: string;
  portBase?: number;
  devTokens?: boolean;
  progress?: ProgressFn;
  /** native, docker, or auto (docker when an engine answers); default: APPRUN_DRIVER, else the settings, else native. */
  driver?: DriverChoice;
}

export type DriverChoice = 'native' | 'docker' | 'auto';

/** What a running core publishes (0600) for `apprun status`/`down` and the desktop shell. */
export interface CoreState {
  pid: number;
  home: string;
  ports: PortMap;
  gatewayUrl: string;
  adminToken: string;
  startedAt: number;
}

export class CoreAlreadyRunningError extends Error {}

/** With published ports a service listens on its container's addresses and reaches the others through the host. */
const PUBLISHED: ServiceNetwork = { listen: '0.0.0.0', peer: 'host.docker.internal' };

/** Reads the state file of a core running for this home, if one is running. */
export async function runningCore(home: AppHome): Promise<CoreState | undefined> {
  const state = await readJsonIfExists<CoreState>(home.coreStateFile);
  return state && isAlive(state.pid) ? state : undefined;
}

/**
 * The headless core: supervisor + services + gateway. The CLI, the desktop shell and the tests all run this.
 */
export class Core {
  readonly home: AppHome;
  readonly ports: PortMap;
  readonly adminToken = randomBytes(24).toString('base64url');
  private readonly progress: ProgressFn;
  private readonly settings: Settings;
  private supervisor?: Supervisor;
  private driver?: NativeDriver | DockerDriver;
  private reaper?: ChildProcess;
  private metrics?: MetricsSampler;
  private gateway?: FastifyInstance;
  private db?: pg.Pool;
  private authorizer?: Authorizer;
  private functions?: FunctionService;
  private storage?: StorageService;
  private workflows?: WorkflowService;
  private worker?: WorkflowWorker;
  private gates?: UpstreamGates;
  private benchRuns?: BenchRuns;

  constructor(private readonly options: CoreOptions = {}) {
    this.home = new AppHome(options.home ?? resolveHomeDir());
    this.settings = loadSettings(this.home);
    this.ports = portMap(options.portBase ?? parsePortBase(process.env.APPRUN_PORT_BASE) ?? this.settings.portBase);
    this.progress = options.progress ?? (() => undefined);
  }

  get gatewayUrl(): string {
    return `http://127.0.0.1:${this.ports.gateway}`;
  }

  async start(): Promise<CoreState> {
    const t0 = performance.now();
    // Cold: a new app home, so Postgres is initialised and every identity created (the start KPI tells them apart).
    const cold = !existsSync(this.home.dataDir('postgres'));
    await this.home.ensure();
    const other = await runningCore(this.home);
    if (other && other.pid !== process.pid) {
      throw new CoreAlreadyRunningError(
        `apprun is already running for ${this.home.root} (pid ${other.pid}, ${other.gatewayUrl}); use \`apprun ` +
          `status\` or \`apprun down\``,
      );
    }
    // Fail fast, naming port and owner, before anything starts.
    for (const [port, owner] of portOwners(this.ports)) await assertPortFree(port, owner);

    const [secrets, signingKey] = await Promise.all([
      loadOrCreateSecrets(this.home),
      loadOrCreateSigningKey(this.home),
    ]);
    const jwks = jwksOf([signingKey]);
    const store = new SnapshotStore(this.home, homeIdOf(secrets.postgresPassword));
    const versions = await currentVersions();
    await this.snapshotBeforeUpgrade(store, versions);
    this.driver = await this.chooseDriver();
    this.supervisor = new Supervisor(
      this.driver,
      await stackSpecs({
        home: this.home,
        ports: this.ports,
        secrets,
        jwks: JSON.stringify(jwks),
        progress: this.progress,
        network: this.driver instanceof DockerDriver && this.driver.network === 'published' ? PUBLISHED : undefined,
      }),
      this.progress,
    );
    this.metrics = new MetricsSampler(this.driver);
    this.db = new pg.Pool({ connectionString: adminUrl(this.ports, secrets), max: 4 });
    // An idle client breaks when Postgres restarts; the pool replaces it, and the error must not end the process.
    this.db.on('error', (err) =>
      this.progress({
        service: 'gateway',
        step: `database connection lost (${err.message}); reconnecting on next use`,
      }),
    );
    const supervisor = this.supervisor;
    const db = this.db;
    // The worker needs only Temporal: it starts as soon as Temporal is healthy, beside the other services.
    const workflows = supervisor.whenHealthy('temporal').then(async () => {
      this.workflows = await WorkflowService.connect({
        address: `127.0.0.1:${this.ports.temporal}`,
        db,
        temporalUiUrl: `http://127.0.0.1:${this.ports.temporalUi}`,
        temporalState: () => supervisor.snapshot().find((s) => s.name === 'temporal')?.state,
      });
      this.worker = new WorkflowWorker({
        address: `127.0.0.1:${this.ports.temporal}`,
        db,
        logFile: path.join(this.home.logsDir, 'workflow-worker.log'),
        onEvent: (step) => this.progress({ service: 'workflows', step }),
      });
      await this.worker.start();
    });
    workflows.catch(() => undefined); // handled where the start-up paths are joined, or before stop() on a failure
    try {
      try {
        await this.supervisor.startAll();
      } catch (err) {
        await workflows.catch(() => undefined); // so stop() below stops a worker it started
        throw err;
      }
      const kratos = new KratosClient(
        `http://127.0.0.1:${this.ports.kratosPublic}`,
        `http://127.0.0.1:${this.ports.kratosAdmin}`,
      );
      // Three independent start-up paths side by side: identities and policies, workflows, storage.
      const identitiesAndPolicies = (async () => {
        const created = await syncIdentities(db, kratos, this.settings);
        if (created) this.progress({ service: 'kratos', step: `created ${created} identities for the seeded users` });
        this.authorizer = await Authorizer.create(adminUrl(this.ports, secrets));
        await this.authorizer.sync(db);
      })();
      const minio = new Minio.Client({
        endPoint: '127.0.0.1',
        port: this.ports.minio,
        useSSL: false,
        accessKey: secrets.minioRootUser,
        secretKey: secrets.minioRootPassword,
      });
      const plans = new TenantPlans(this.db, this.settings.plans);
      const gates = new UpstreamGates(plans);
      this.gates = gates;
      const functions = new FunctionService(this.db, minio, new FunctionPool(), new ModulePreparer(), plans);
      this.functions = functions;
      this.storage = new StorageService(minio);
      const storage = Promise.all([functions.start(), this.storage.start()]);
      // Every path settles before any error is raised, so a failed start stops what the others started.
      const settled = await Promise.allSettled([identitiesAndPolicies, workflows, storage]);
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      const authorizer = this.authorizer!;
      const workflowService = this.workflows!;
      const snapshots = new SnapshotService({
        home: this.home,
        store,
        supervisor: this.supervisor,
        driver: this.driver,
        db,
        progress: this.progress,
        afterRestore: async () => {
          await syncIdentities(db, kratos, this.settings);
          await authorizer.reload(db);
          await Promise.all([functions.start(), this.storage!.start()]);
        },
        users: {
          export: () => exportUsers(db, kratos),
          import: (users) => importUsers(db, kratos, authorizer, users as KeptUser[]),
        },
      });
      this.progress({ service: 'gateway', step: 'starting' });
      this.benchRuns = await createKpiCenter({
        home: this.home,
        gatewayUrl: this.gatewayUrl,
        postgrestPort: this.ports.postgrest,
        supervisor: this.supervisor,
        metrics: this.metrics,
        devPassword: this.settings.devPassword ?? DEFAULT_DEV_PASSWORD,
        warn: (step) => this.progress({ service: 'gateway', step }),
      });
      this.gateway = await buildGateway({
        benchRuns: this.benchRuns,
        snapshots,
        gates,
        plans,
        kratos,
        authorizer,
        functions,
        workflows: workflowService,
        workflowWorker: () => this.worker?.state ?? { state: 'stopped' },
        storage: this.storage,
        postgrestUrl: `http://127.0.0.1:${this.ports.postgrest}`,
        db: this.db,
        verifier: new TokenVerifier(jwks, TOKEN_AUDIENCE),
        issuer: new TokenIssuer(signingKey, TOKEN_AUDIENCE),
        jwks,
        guard: await TenantGuard.discover(this.db),
        adminToken: this.adminToken,
        devTokens: this.options.devTokens ?? false,
        supervisor: this.supervisor,
        metrics: this.metrics,
        home: this.home,
        ports: this.ports,
        allowedHosts: this.settings.allowedHosts,
        rendererDir: path.join(packageRoot(), 'out', 'renderer'),
        logFile: path.join(this.home.logsDir, 'gateway.log'),
      });
      await this.gateway.listen({ host: '127.0.0.1', port: this.ports.gateway });
      await this.metrics.sampleOnce();
      this.metrics.start();
    } catch (err) {
      await this.stop();
      throw err;
    }
    const state: CoreState = {
      pid: process.pid,
      home: this.home.root,
      ports: this.ports,
      gatewayUrl: this.gatewayUrl,
      adminToken: this.adminToken,
      startedAt: Date.now(),
    };
    await writePrivateFile(this.home.coreStateFile, JSON.stringify(state, null, 2));
    await recordVersions(this.home, versions);
    await recordStart(this.home, { cold, ms: Math.round(performance.now() - t0), at: state.startedAt });
    this.progress({ service: 'core', step: 'ready', fraction: 1 });
    return state;
  }

  /** Stops the gateway, then the services in reverse order; safe to call twice and after a failed start. */
  async stop(): Promise<void> {
    this.metrics?.stop();
    this.gates?.stop();
    await this.benchRuns?.stop();
    await this.gateway?.close().catch(() => undefined);
    await this.functions?.stop().catch(() => undefined);
    // The worker first: a workflow mid-flight simply waits in Temporal for the next start.
    await this.worker?.stop().catch(() => undefined);
    await this.workflows?.close().catch(() => undefined);
    await this.authorizer?.close().catch(() => undefined);
    await this.db?.end().catch(() => undefined);
    await this.supervisor?.stopAll();
    if (this.driver instanceof DockerDriver) await this.driver.reap().catch(() => undefined);
    this.reaper?.kill('SIGTERM');
    this.driver?.closeLogs();
    const state = await readJsonIfExists<CoreState>(this.home.coreStateFile).catch(() => undefined);
    if (state?.pid === process.pid) await fs.rm(this.home.coreStateFile, { force: true });
    this.gateway = undefined;
    this.db = undefined;
    this.authorizer = undefined;
    this.functions = undefined;
    this.worker = undefined;
    this.workflows = undefined;
    this.storage = undefined;
  }

  /**
   * Data written by an older apprun (or older services) is saved as a snapshot before any service starts, so before
   * any migration runs; the progress line says how to roll back.
   */
  private async snapshotBeforeUpgrade(store: SnapshotStore, versions: DataVersions): Promise<void> {
    const why = await upgradeFrom(this.home, versions);
    if (!why) return;
    const name = `before-upgrade-${timestampName()}`;
    await saveAtRest(store, name, `before upgrade: ${why}`); // no service runs yet
    this.progress({
      service: 'core',
      step: `upgrade (${why}): saved snapshot ${name} first; to roll back, \`apprun snapshot restore ${name}\``,
    });
  }

  /**
   * The driver the options, APPRUN_DRIVER or the settings ask for. Docker: the engine must answer (else a clear error);
   * containers a crashed core left are removed first, and a reaper process removes this home's containers if the core
   * dies without stopping them. Auto: docker when an engine answers, else native, saying why.
   */
  private async chooseDriver(): Promise<NativeDriver | DockerDriver> {
    const env = process.env.APPRUN_DRIVER;
    const choice =
      this.options.driver ??
      (env === 'docker' || env === 'auto' || env === 'native' ? env : undefined) ??
      this.settings.driver ??
      'native';
    if (choice === 'native') return new NativeDriver(this.home);
    const engine = await connectEngine();
    if (!engine.docker) {
      if (choice === 'docker') throw new Error(`the docker driver was asked for, but ${engine.reason}`);
      this.progress({ service: 'core', step: `driver auto: ${engine.reason}; using the native driver` });
      return new NativeDriver(this.home);
    }
    this.progress({ service: 'core', step: `driver ${choice}: Docker ${engine.version} (${engine.network} network)` });
    // A bad image name in Settings fails here, before any container or service starts.
    const driver = new DockerDriver(this.home, engine.docker, this.progress, {
      images: this.settings.images,
      network: engine.network,
    });
    const reaped = await driver.reap();
    if (reaped.length)
      this.progress({ service: 'core', step: `removed containers an earlier apprun left: ${reaped.join(', ')}` });
    const entry = entryPoint('container-reaper', new URL('../stack/docker/reaper-process.ts', import.meta.url));
    this.reaper = spawn(process.execPath, [fileURLToPath(entry), this.home.root, String(process.pid)], {
      detached: true,
      stdio: 'ignore',
    });
    this.reaper.unref();
    return driver;
  }

  get stack(): { supervisor: Supervisor; metrics: MetricsSampler } {
    if (!this.supervisor || !this.metrics) throw new Error('core is not started');
    return { supervisor: this.supervisor, metrics: this.metrics };
  }
}
