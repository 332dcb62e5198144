// `apprun gateway --port N`: a second gateway on the services of a running appliance, as a replica behind a load
// balancer would be. It shares what the gateways must agree on through the home and the database: the signing key
// (a token from one verifies at the other), the RBAC policies, retired tokens and function records (ChangeFeed).
// Per gateway: the token cache, the fair gates (each enforces its tenants' limits on its own share of the traffic),
// the function pool, the traces and the KPI runs it started.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { AttachedDriver } from '../../stack/attached-driver.js';
import { type AppHome, writePrivateFile } from '../../stack/home.js';
import { MetricsSampler } from '../../stack/metrics.js';
import { isAlive } from '../../stack/pid-files.js';
import { assertPortFree } from '../../stack/ports.js';
import { loadOrCreateSecrets } from '../../stack/secrets.js';
import { homeIdOf, SnapshotStore } from '../../stack/snapshots.js';
import type { ProgressFn } from '../../stack/spec.js';
import { stackSpecs } from '../../stack/stack.js';
import { Supervisor } from '../../stack/supervisor.js';
import { jwksOf, loadOrCreateSigningKey } from '../auth/signing-keys.js';
import { type CoreState, runningCore } from '../core-state.js';
import type { Platform } from '../platform.js';
import type { Project } from '../project/project.js';
import { loadSettings } from '../settings.js';
import { secondGatewayStateFile } from './second-gateways.js';
import { apartPorts } from './service-specs.js';

export interface ReplicaOptions {
  home: AppHome;
  project: Project;
  port: number;
  progress: ProgressFn;
  /** On services run apart (`apprun service NAME`), with no appliance: their port base, as they were given it. */
  standalone?: { portBase?: number; host?: string };
}

/** How often a second gateway looks whether its appliance still runs (it stops with it: no orphan). */
const WATCH_MS = 1000;

export class ReplicaGateway {
  private platform?: Platform;
  private supervisor?: Supervisor;
  private watch?: NodeJS.Timeout;
  private stateFile?: string;

  constructor(private readonly o: ReplicaOptions) {}

  get gatewayUrl(): string {
    return `http://127.0.0.1:${this.o.port}`;
  }

  /** Joins the services (the appliance's, or run apart) and listens; `stopped` is called if the appliance goes away. */
  async start(stopped: (why: string) => void): Promise<CoreState> {
    const { home, project, port, progress, standalone } = this.o;
    const appliance = standalone ? undefined : await runningCore(home);
    if (!standalone && !appliance)
      throw new Error(
        `apprun is not running for ${home.root}: a second gateway joins a running appliance; start it with \`apprun ` +
          'up`, or run the services apart (`apprun service NAME`) and this with --standalone',
      );
    await assertPortFree(port, 'the gateway');
    await home.ensure();
    const servicePorts = appliance?.ports ?? apartPorts(home, project, standalone?.portBase);
    // Said first: an appliance then wakes what sleeps (this side waits for every service to be healthy), and lets
    // nothing sleep while it runs.
    const ports = { ...servicePorts, gateway: port };
    const state: CoreState = {
      pid: process.pid,
      home: home.root,
      ports,
      gatewayUrl: this.gatewayUrl,
      adminToken: appliance?.adminToken ?? process.env.APPRUN_ADMIN_TOKEN ?? randomBytes(24).toString('base64url'),
      startedAt: Date.now(),
    };
    this.stateFile = secondGatewayStateFile(home, port);
    await writePrivateFile(this.stateFile, JSON.stringify(state, null, 2));
    const [secrets, signingKey, stack] = await Promise.all([
      loadOrCreateSecrets(home),
      loadOrCreateSigningKey(home),
      appliance
        ? fetch(`${appliance.gatewayUrl}/api/stack`, {
            headers: { 'x-apprun-admin-token': appliance.adminToken },
          }).then((res) => res.json() as Promise<{ driver: 'native' | 'docker' }>)
        : { driver: 'native' as const },
    ]);
    const jwks = jwksOf([signingKey]);
    const driver = new AttachedDriver(stack.driver);
    // The appliance prepared the services (databases, migrations): this side only waits for each to be healthy.
    const specs = (await stackSpecs({ home, ports: servicePorts, secrets, jwks: JSON.stringify(jwks), progress })).map(
      ({ prepare: _prepare, afterHealthy: _afterHealthy, ...spec }) => spec,
    );
    // No monitor: the appliance checks and heals its services (its kept liveness connection stays the only one).
    this.supervisor = new Supervisor(driver, specs, progress, 0);
    const { Platform } = await import('../platform.js');
    this.platform = new Platform({
      home,
      ports,
      settings: loadSettings(home),
      secrets,
      signingKey,
      jwks,
      store: new SnapshotStore(home, homeIdOf(secrets.postgresPassword), false),
      supervisor: this.supervisor,
      driver,
      metrics: new MetricsSampler(driver),
      progress,
      adminToken: state.adminToken,
      devTokens: false,
      gatewayUrl: this.gatewayUrl,
      project,
      replica: appliance ? 'appliance' : 'services',
      listenHost: standalone?.host,
    });
    try {
      // Each service healthy first (a check each, nothing to start): the features then begin at once.
      await this.supervisor.startAll();
      this.platform.startFeatures();
      await this.platform.serve();
    } catch (err) {
      await this.stop();
      throw err;
    }
    if (appliance) {
      this.watch = setInterval(() => {
        if (!isAlive(appliance.pid)) stopped(`the appliance (pid ${appliance.pid}) stopped`);
      }, WATCH_MS);
      this.watch.unref();
    }
    return { ...state, startedAt: Date.now() };
  }

  async stop(): Promise<void> {
    clearInterval(this.watch);
    await this.platform?.stop().catch(() => undefined);
    this.platform = undefined;
    if (this.stateFile) await fs.rm(this.stateFile, { force: true });
  }
}
