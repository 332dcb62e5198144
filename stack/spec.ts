import type { ServiceName } from './service-identity.js';

export type { ServiceName };

/** How the supervisor decides a service is ready. Every check has its own timeout. */
export type HealthCheck =
  | { kind: 'http'; url: string; timeoutMs?: number }
  | { kind: 'tcp'; host: string; port: number; timeoutMs?: number }
  | { kind: 'custom'; describe: string; run: () => Promise<void>; timeoutMs?: number };

export interface ProcessCommand {
  path: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  /** Drop privileges (Postgres refuses to run as root). */
  runAs?: { uid: number; gid: number };
}

/** Reports progress of long steps (first start, binary builds) to the CLI or UI. */
export type ProgressFn = (event: ProgressEvent) => void;
export interface ProgressEvent {
  service?: ServiceName | 'gateway' | 'workflows' | 'project' | 'core';
  step: string;
  /** 0..1 when the step knows how far along it is. */
  fraction?: number;
}

/** The official image of a service at a pinned tag, and where the executable sits inside it. */
export interface OfficialImage {
  image: string;
  executable: string;
}

/** How one service runs for one home: what its file declares, resolved against the home's ports and secrets. */
export interface ServiceSpec {
  name: ServiceName;
  description: string;
  /** Named ports; the first one is the service's main port. */
  ports: Record<string, number>;
  command: ProcessCommand;
  /** Ready to serve: waited for at every start. */
  health: HealthCheck;
  /**
   * Still alive, for the hung-service monitor, when readiness is the wrong question once it runs (MinIO's readiness
   * checks its drive, which a busy disk holds up for seconds without MinIO being hung). Default: the health check.
   */
  liveness?: HealthCheck;
  dataDir?: string;
  /** Share of the 1 GB budget, in MiB. */
  memoryBudgetMb: number;
  dependsOn: ServiceName[];
  /**
   * It outlives a restart of what it depends on: once its health check passes again (the check uses the dependency,
   * which replaces the dead connections of its pool), it serves; so it is re-checked, not restarted, with it.
   */
  reconnects?: boolean;
  /** Signal for a graceful stop (Postgres' fast shutdown is SIGINT), then SIGKILL after stopTimeoutMs. */
  stopSignal: NodeJS.Signals;
  /**
   * Ends it when its data is about to be thrown away (a restore swaps it out): no clean shutdown is owed, and crash
   * recovery would do were the old data put back. Default: the stop signal.
   */
  discardSignal?: NodeJS.Signals;
  stopTimeoutMs: number;
  /** How long a start may take before it is reported as failed. */
  startTimeoutMs: number;
  /**
   * Runs before each start (first-run set-up such as initdb, migrations). launched() says the rest only waits on
   * another process (a migration): the core may then do the work it holds back until every service is launched.
   */
  prepare?: (progress: ProgressFn, launched: () => void) => Promise<void>;
  /**
   * Runs once the service is healthy (e.g. migrations); idempotent and safe from two processes at once, since a
   * service run apart (`apprun service`) makes sure of its dependencies' before it prepares.
   */
  afterHealthy?: (progress: ProgressFn) => Promise<void>;
  /** Its official image (Docker driver); locally built images run the same command at the host's paths. */
  image?: OfficialImage;
}

/** What a service file's spec() returns; identity, ports, budget, dependencies and image come from its definition. */
export type ServiceRun = Omit<ServiceSpec, 'name' | 'description' | 'ports' | 'memoryBudgetMb' | 'dependsOn' | 'image'>;

/** The 1 GB budget of the POC, in MiB; each service file declares its share, the appliance gets the rest. */
export const TOTAL_MEMORY_BUDGET_MB = 1024;

/** Orders specs so every service comes after its dependencies; throws on unknown or cyclic dependencies. */
export function startOrder(specs: ServiceSpec[]): ServiceSpec[] {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const ordered: ServiceSpec[] = [];
  const state = new Map<ServiceName, 'visiting' | 'done'>();
  const visit = (spec: ServiceSpec, trail: ServiceName[]): void => {
    const seen = state.get(spec.name);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new Error(`dependency cycle: ${[...trail, spec.name].join(' → ')}`);
    state.set(spec.name, 'visiting');
    for (const dep of spec.dependsOn) {
      const depSpec = byName.get(dep);
      if (!depSpec) throw new Error(`${spec.name} depends on ${dep}, which is not part of the stack`);
      visit(depSpec, [...trail, spec.name]);
    }
    state.set(spec.name, 'done');
    ordered.push(spec);
  };
  for (const spec of specs) visit(spec, []);
  return ordered;
}
