import type { Driver } from '../stack/driver.js';
import type { AppHome } from '../stack/home.js';
import type { MetricsSampler } from '../stack/metrics.js';
import type { PortMap } from '../stack/ports.js';
import type { StackSecrets } from '../stack/secrets.js';
import type { SnapshotStore } from '../stack/snapshots.js';
import type { ProgressFn } from '../stack/spec.js';
import type { Supervisor } from '../stack/supervisor.js';
import type { jwksOf, SigningKey } from './auth/signing-keys.js';
import type { Project } from './project/project.js';
import type { Settings } from './settings.js';

/** What the core hands the platform: its home, ports and secrets, and the services it supervises. */
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
  /** The developer's project (the built-in demo when none). */
  project: Project;
  /**
   * A gateway that does not hold its services (`apprun gateway`): it never puts a service to sleep, restores, resets
   * nor controls a service, and watches no project folder. 'appliance': it joined the running `apprun up` of this
   * home, which does those and applies the project; 'services': they run apart (`apprun service NAME`), and it
   * applies the project's policies and functions at its start.
   */
  replica?: 'appliance' | 'services';
  /** Where the gateway listens: 127.0.0.1 unless a container's private network publishes it (an export). */
  listenHost?: string;
}
