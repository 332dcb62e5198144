import type { BinaryRecipe } from '../binaries.js';
import type { AppHome } from '../home.js';
import type { PortMap } from '../ports.js';
import type { StackSecrets } from '../secrets.js';
import type { OfficialImage, ProgressFn, ServiceName, ServiceRun } from '../spec.js';

/**
 * Where services listen and how they reach each other. Natively and on Docker's host network both are 127.0.0.1;
 * with published ports (Docker Desktop) a service listens on every address of its container, and reaches the others
 * through the host.
 */
export interface ServiceNetwork {
  listen: string;
  peer: string;
}

export const LOOPBACK: ServiceNetwork = { listen: '127.0.0.1', peer: '127.0.0.1' };

/** What a service file gets to build its spec for one home. */
export interface ServiceContext {
  home: AppHome;
  ports: PortMap;
  secrets: StackSecrets;
  /** The gateway's public keys, for the services that verify its tokens. */
  jwks: string;
  network: ServiceNetwork;
  progress: ProgressFn;
  /** Finds or builds the service's own binary (its `binary` recipe), with progress. */
  binary(): Promise<string>;
  /**
   * Finds or builds the pristine database cluster a fresh home starts from (initdb'd, every database migrated), in the
   * binary cache. Absent while that template is being built: the cluster is then made in place.
   */
  clusterTemplate?(): Promise<string>;
  /**
   * What the platform does to the app database once it is migrated, before PostgREST serves it: a project's own
   * migrations, dev users and seed. Given the database's superuser URL. Kratos, which keeps a database of its own,
   * starts meanwhile.
   */
  databaseReady?(appUrl: string, progress: ProgressFn): Promise<void>;
}

/**
 * Everything the appliance knows about one service, in one file under stack/services/: its ports (key in the port map,
 * the POC's default, who holds it), its share of the memory budget, its dependencies, the per-install secrets it needs,
 * how its binary is provisioned, its official image, and how to run it. The port map, budget, secrets, binary cache
 * and image list are all derived from the list of these.
 */
export interface ServiceDefinition<P extends string = string, S extends string = string> {
  name: ServiceName;
  description: string;
  /** Share of the 1 GB budget, in MiB. */
  memoryBudgetMb: number;
  /** Named ports, in port-map order; the first one is the service's main port. */
  ports: Record<P, { default: number; owner: string }>;
  dependsOn: ServiceName[];
  /** Per-install secrets this service owns, each with how to make a new one. */
  secrets: Record<S, () => string>;
  /** How its binary is provisioned when no npm package ships it. */
  binary?: BinaryRecipe;
  image: OfficialImage;
  /** Its label and where to reach it, for the banner of `apprun up`. */
  banner: { label: string; endpoint: (ports: PortMap) => string };
  /** The command, health check and hooks for one home; the same command runs natively and in a container. */
  spec(ctx: ServiceContext): ServiceRun | Promise<ServiceRun>;
}
