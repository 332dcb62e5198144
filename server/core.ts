import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { DockerDriver } from '../stack/docker/docker-driver.js';
import { AppHome, readJsonIfExists, resolveHomeDir, writePrivateFile } from '../stack/home.js';
import { MetricsSampler } from '../stack/metrics.js';
import { NativeDriver } from '../stack/native-driver.js';
import { assertPortFree, type PortMap, parsePortBase, portMap } from '../stack/ports.js';
import { loadOrCreateSecrets } from '../stack/secrets.js';
import type { ServiceNetwork } from '../stack/services/definition.js';
import { homeIdOf, SnapshotStore, timestampName } from '../stack/snapshots.js';
import type { ProgressFn } from '../stack/spec.js';
import { portOwners, stackSpecs } from '../stack/stack.js';
import { Supervisor } from '../stack/supervisor.js';
import { jwksOf, loadOrCreateSigningKey } from './auth/signing-keys.js';
import { type CoreState, runningCore } from './core-state.js';
import { entryPoint } from './entry-points.js';
import { recordStart } from './kpi/start-record.js';
import type { Platform } from './platform.js';
import type { PlatformContext } from './platform-context.js';
import { projectDatabaseHook } from './project/database-hook.js';
import { builtInProject, type Project } from './project/project.js';
import { loadSettings, type Settings } from './settings.js';
import {
  currentVersions,
  type DataVersions,
  recordVersions,
  saveAtRest,
  upgradeFrom,
} from './snapshots/snapshot-service.js';

export interface CoreOptions {
  home?: string;
  portBase?: number;
  devTokens?: boolean;
  progress?: ProgressFn;
  /** native, docker, or auto (docker when an engine answers); default: APPRUN_DRIVER, else the settings, else native. */
  driver?: DriverChoice;
  /** The developer's project; default: the built-in demo. */
  project?: Project;
}

export type DriverChoice = 'native' | 'docker' | 'auto';

export class CoreAlreadyRunningError extends Error {}

/** With published ports a service listens on its container's addresses and reaches the others through the host. */
const PUBLISHED: ServiceNetwork = { listen: '0.0.0.0', peer: 'host.docker.internal' };

/**
 * The headless core: supervisor + services + gateway. The CLI, the desktop shell and the tests all run this.
 */
export class Core {
  readonly home: AppHome;
  readonly ports: PortMap;
  readonly adminToken = randomBytes(24).toString('base64url');
  readonly project: Project;
  private readonly progress: ProgressFn;
  private readonly settings: Settings;
  private supervisor?: Supervisor;
  private driver?: NativeDriver | DockerDriver;
  private reaper?: ChildProcess;
  private metrics?: MetricsSampler;
  private platform?: Platform;

  constructor(private readonly options: CoreOptions = {}) {
    this.home = new AppHome(options.home ?? resolveHomeDir());
    this.settings = loadSettings(this.home);
    this.ports = portMap(options.portBase ?? parsePortBase(process.env.APPRUN_PORT_BASE) ?? this.settings.portBase);
    this.progress = options.progress ?? (() => undefined);
    this.project = options.project ?? builtInProject();
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
        network: this.driver.kind === 'docker' && this.driver.network === 'published' ? PUBLISHED : undefined,
        databaseReady: projectDatabaseHook(this.project),
      }),
      this.progress,
    );
    this.metrics = new MetricsSampler(this.driver);
    const supervisor = this.supervisor;
    const context: PlatformContext = {
      home: this.home,
      ports: this.ports,
      settings: this.settings,
      secrets,
      signingKey,
      jwks,
      store,
      supervisor,
      driver: this.driver,
      metrics: this.metrics,
      progress: this.progress,
      adminToken: this.adminToken,
      devTokens: this.options.devTokens ?? false,
      gatewayUrl: this.gatewayUrl,
      project: this.project,
    };
    // The platform's module (most of the core's code and dependencies, whose loading blocks this thread) loads once
    // every service is launched (its process, or its migration's, running): the services start meanwhile, and no spawn
    // or migration waits for it. Each feature then starts as soon as the services it needs are healthy.
    let allLaunched!: () => void;
    const launched = new Promise<void>((resolve) => (allLaunched = resolve));
    const platform = launched
      .then(() => import('./platform.js'))
      .then(({ Platform }) => {
        this.platform = new Platform(context);
        this.platform.startFeatures();
        return this.platform;
      });
    try {
      try {
        await supervisor.startAll(allLaunched);
      } catch (err) {
        await platform.catch(() => undefined); // so stop() below stops what its features started
        throw err;
      }
      await (await platform).serve();
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
    // Whatever the platform's stop runs into, the services still get their clean stop below.
    await this.platform
      ?.stop()
      .catch((err: Error) => this.progress({ service: 'core', step: `stopping the gateway failed: ${err.message}` }));
    this.platform = undefined;
    await this.supervisor?.stopAll();
    if (this.driver?.kind === 'docker') await this.driver.reap().catch(() => undefined);
    this.reaper?.kill('SIGTERM');
    this.driver?.closeLogs();
    const state = await readJsonIfExists<CoreState>(this.home.coreStateFile).catch(() => undefined);
    if (state?.pid === process.pid) await fs.rm(this.home.coreStateFile, { force: true });
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
    const [{ connectEngine }, { DockerDriver }] = await Promise.all([
      import('../stack/docker/engine.js'),
      import('../stack/docker/docker-driver.js'),
    ]);
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
