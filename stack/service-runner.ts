// One service of the stack on its own, in the foreground: what a container of a Compose file or a Kubernetes pod runs
// (each service a process of its own, the orchestrator restarting it), from the same spec the supervisor starts.
import { waitHealthy } from './health.js';
import type { AppHome } from './home.js';
import { NativeDriver } from './native-driver.js';
import type { ProgressFn, ServiceName, ServiceSpec } from './spec.js';

export interface ServiceRunOptions {
  home: AppHome;
  /** Every service's spec (this one's dependencies are waited for by their health checks). */
  specs: ServiceSpec[];
  name: ServiceName;
  progress: ProgressFn;
  /** Only its first-run preparation (a database, a config, migrations): an orchestrator's one-shot init step. */
  prepareOnly?: boolean;
}

/**
 * Waits for what the service depends on (run by others), prepares it, starts it and waits until it is healthy. Then
 * `ended` rejects if the process exits unasked; `stop` ends it with its own stop signal and timeout.
 */
export async function runService(o: ServiceRunOptions): Promise<{ ended: Promise<never>; stop(): Promise<void> }> {
  const spec = o.specs.find((s) => s.name === o.name);
  if (!spec) throw new Error(`no service "${o.name}"; known: ${o.specs.map((s) => s.name).join(', ')}`);
  for (const dependency of spec.dependsOn) {
    const dep = o.specs.find((s) => s.name === dependency)!;
    o.progress({ service: o.name, step: `waiting for ${dependency}` });
    await waitHealthy(dep.health, dep.startTimeoutMs, () => undefined);
    // Healthy is not ready: its after-start step (Postgres' migrations) may still be running in its own process.
    // That step is idempotent and safe from two processes at once (an advisory lock), so it is made sure of here,
    // as the supervisor does before it starts a dependent.
    await dep.afterHealthy?.(o.progress);
  }
  await spec.prepare?.(o.progress, () => undefined);
  if (o.prepareOnly) {
    o.progress({ service: o.name, step: 'prepared', fraction: 1 });
    return { ended: new Promise<never>(() => undefined), stop: async () => undefined };
  }
  const driver = new NativeDriver(o.home);
  // The driver tells only of an exit nobody asked for: the orchestrator then restarts the container.
  const ended = new Promise<never>((_, reject) =>
    driver.on('exit', (_name: ServiceName, exit: { reason: string }) =>
      reject(new Error(`${o.name} ended: ${exit.reason}`)),
    ),
  );
  ended.catch(() => undefined); // the caller's to handle
  o.progress({ service: o.name, step: 'starting' });
  await driver.start(spec);
  await waitHealthy(spec.health, spec.startTimeoutMs, () =>
    driver.status(o.name).running ? undefined : `exited while starting (${driver.status(o.name).lastExit?.reason})`,
  );
  await spec.afterHealthy?.(o.progress);
  o.progress({ service: o.name, step: 'healthy', fraction: 1 });
  return {
    ended,
    stop: async () => {
      await driver.stop(o.name, spec.stopTimeoutMs);
      driver.closeLogs();
    },
  };
}
