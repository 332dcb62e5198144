import { EventEmitter } from 'node:events';
import type { Driver, ProcessExit } from './driver.js';
import { checkHealth, waitHealthy } from './health.js';
import type { ServiceState } from './service-identity.js';
import { type ProgressFn, type ServiceName, type ServiceSpec, startOrder } from './spec.js';

export type { ServiceState };

/** What the supervisor knows of a service (the API adds its sampled usage). */
export interface ServiceSnapshot {
  name: ServiceName;
  description: string;
  state: ServiceState;
  pid?: number;
  ports: Record<string, number>;
  startedAt?: number;
  restarts: number;
  memoryBudgetMb: number;
  lastExit?: { code: number | null; signal: string | null; reason: string; at: number };
  failure?: { reason: string; logTail: string[] };
  /** Asleep: since when, and the memory it held when it went to sleep (what sleeping saves). */
  asleep?: { since: number; savedBytes?: number };
}

interface Entry {
  spec: ServiceSpec;
  state: ServiceState;
  restarts: number;
  /** Recent crash times, for deciding when to give up. */
  crashes: number[];
  failure?: ServiceSnapshot['failure'];
  restartTimer?: NodeJS.Timeout;
  failedChecks: number;
  checking: boolean;
  asleep?: ServiceSnapshot['asleep'];
  /** The wake under way: every request that finds the service asleep waits on this one start. */
  waking?: Promise<void>;
  /** The sleep under way: a request that comes meanwhile wakes it once it has stopped. */
  fallingAsleep?: Promise<boolean>;
}

const FAILED_CHECKS = 3;

const MAX_CRASHES = 5;
const CRASH_WINDOW_MS = 60_000;

/**
 * Starts services in dependency order and waits for each to be healthy; restarts a crashed one with exponential
 * backoff, and marks it failed (with the reason and last log lines) after MAX_CRASHES within a minute.
 * Emits 'change' (snapshot) whenever a service changes state.
 */
export class Supervisor extends EventEmitter {
  private readonly entries = new Map<ServiceName, Entry>();
  private readonly order: ServiceSpec[];
  private shuttingDown = false;
  private monitorTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly driver: Driver,
    specs: ServiceSpec[],
    private readonly progress: ProgressFn = () => undefined,
    /** 0: no hung-service monitor (a supervisor over services another process runs and heals). */
    private readonly monitorIntervalMs = 5000,
  ) {
    super();
    this.order = startOrder(specs);
    for (const spec of this.order)
      this.entries.set(spec.name, {
        spec,
        state: 'stopped',
        restarts: 0,
        crashes: [],
        failedChecks: 0,
        checking: false,
      });
    driver.on('exit', (name: ServiceName, exit: ProcessExit) => this.onUnexpectedExit(name, exit));
  }

  get services(): ServiceName[] {
    return this.order.map((s) => s.name);
  }

  /**
   * Starts every service as soon as its dependencies are healthy, independent ones side by side. onAllLaunched runs once
   * every service is launched: its process spawned, or the process its preparation waits on (a migration) running. The
   * main thread then has nothing left to do for them but wait and check health. It also runs when the start ends
   * without that.
   */
  async startAll(onAllLaunched?: () => void): Promise<void> {
    this.shuttingDown = false;
    const started = new Map<ServiceName, Promise<void>>();
    const waiting = new Set(this.order.map((s) => s.name));
    const onLaunched = (name: ServiceName) => {
      if (waiting.delete(name) && waiting.size === 0) onAllLaunched?.();
    };
    this.on('launched', onLaunched);
    for (const spec of this.order) {
      // Dependencies come earlier in this.order, so their promises exist already.
      const deps = spec.dependsOn.map((d) => started.get(d)!);
      started.set(
        spec.name,
        Promise.all(deps).then(() => this.start(spec.name)),
      );
    }
    const results = await Promise.allSettled(started.values());
    this.off('launched', onLaunched);
    if (waiting.size > 0) onAllLaunched?.();
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    this.monitor();
  }

  /**
   * Every few seconds, checks each healthy service; one that fails its check FAILED_CHECKS times in a row is hung
   * (alive but not answering) and gets restarted like a crashed one.
   */
  private monitor(): void {
    clearInterval(this.monitorTimer);
    if (this.monitorIntervalMs <= 0) return;
    this.monitorTimer = setInterval(() => {
      for (const entry of this.entries.values()) {
        if (entry.state !== 'healthy' || entry.checking) continue;
        entry.checking = true;
        checkHealth(entry.spec.liveness ?? entry.spec.health)
          .then(() => (entry.failedChecks = 0))
          .catch((err: Error) => {
            entry.failedChecks++;
            if (entry.failedChecks < FAILED_CHECKS || entry.state !== 'healthy') return;
            entry.failedChecks = 0;
            const reason = `health check failed ${FAILED_CHECKS} times in a row (${err.message})`;
            this.progress({ service: entry.spec.name, step: `${reason}; restarting` });
            void this.driver
              .stop(entry.spec.name, entry.spec.stopTimeoutMs)
              .then(() => this.onUnexpectedExit(entry.spec.name, { code: null, signal: null, reason, at: Date.now() }));
          })
          .finally(() => (entry.checking = false));
      }
    }, this.monitorIntervalMs);
    this.monitorTimer.unref();
  }

  /**
   * Stops every service, dependents before what they depend on, side by side where nothing depends between them;
   * each gets its graceful-stop timeout, then SIGKILL. `discarding`: their data is about to be swapped out.
   */
  async stopAll(discarding = false): Promise<void> {
    this.shuttingDown = true;
    clearInterval(this.monitorTimer);
    const left = new Set(this.order.map((s) => s.name));
    while (left.size) {
      const free = this.order.filter(
        (s) => left.has(s.name) && !this.order.some((o) => left.has(o.name) && o.dependsOn.includes(s.name)),
      );
      for (const s of free) left.delete(s.name);
      await Promise.all(free.map((s) => this.stop(s.name, discarding)));
    }
  }

  async start(name: ServiceName): Promise<void> {
    const entry = this.entry(name);
    clearTimeout(entry.restartTimer);
    for (const dep of entry.spec.dependsOn) {
      if (this.entry(dep).state !== 'healthy')
        throw new Error(`cannot start ${name}: ${dep} is ${this.entry(dep).state}`);
    }
    this.set(entry, 'starting');
    entry.failure = undefined;
    const { spec } = entry;
    try {
      await spec.prepare?.(this.progress, () => this.emit('launched', name));
      this.progress({ service: name, step: 'starting' });
      await this.driver.start(spec);
      this.emit('launched', name);
      await waitHealthy(spec.health, spec.startTimeoutMs, () => {
        const status = this.driver.status(name);
        return status.running ? undefined : `exited while starting (${status.lastExit?.reason ?? 'unknown reason'})`;
      });
      await spec.afterHealthy?.(this.progress);
      this.set(entry, 'healthy');
      this.progress({ service: name, step: 'healthy', fraction: 1 });
    } catch (err) {
      const reason = `${name} did not start: ${(err as Error).message}`;
      await this.driver.stop(name, spec.stopTimeoutMs).catch(() => undefined);
      entry.failure = { reason, logTail: this.driver.logs(name, 20) };
      this.set(entry, 'failed');
      throw new Error(
        `${reason}\n  last log lines of ${name}:\n${entry.failure.logTail.map((l) => `    ${l}`).join('\n')}`,
      );
    }
  }

  /**
   * Stops a service. `discarding`: its data is about to be swapped out (a restore), so no clean shutdown is owed:
   * its discardSignal ends it at once (crash recovery would do, were the old data put back).
   */
  async stop(name: ServiceName, discarding = false): Promise<void> {
    const entry = this.entry(name);
    clearTimeout(entry.restartTimer);
    if (entry.state === 'stopped') return;
    if (entry.state === 'asleep') {
      entry.asleep = undefined;
      this.set(entry, 'stopped');
      return;
    }
    this.set(entry, 'stopping');
    await this.driver.stop(name, entry.spec.stopTimeoutMs, discarding ? entry.spec.discardSignal : undefined);
    this.set(entry, 'stopped');
  }

  /**
   * Stops a healthy service on purpose (nobody used it for a while): it is 'asleep', neither failed nor healed, until
   * wake(). savedBytes is the memory it held, for the status.
   */
  sleep(name: ServiceName, savedBytes?: number): Promise<boolean> {
    const entry = this.entry(name);
    if (entry.state !== 'healthy' || this.shuttingDown) return Promise.resolve(false);
    this.set(entry, 'stopping');
    entry.fallingAsleep = this.driver
      .stop(name, entry.spec.stopTimeoutMs)
      .then(() => {
        if (this.shuttingDown || entry.state !== 'stopping') return false; // stopped (apprun down) meanwhile
        entry.asleep = { since: Date.now(), savedBytes };
        this.set(entry, 'asleep');
        this.progress({ service: name, step: 'asleep (idle)' });
        return true;
      })
      .finally(() => {
        entry.fallingAsleep = undefined;
      });
    return entry.fallingAsleep;
  }

  /**
   * Starts an asleep service again; concurrent callers share one start. Resolves once it is healthy (at once when it
   * is); rejects when it fails to start (it is asleep again then, so the next call tries anew) or apprun stops.
   */
  wake(name: ServiceName): Promise<void> {
    const entry = this.entry(name);
    if (entry.state === 'healthy') return Promise.resolve();
    if (entry.waking) return entry.waking;
    if (entry.fallingAsleep) return entry.fallingAsleep.then(() => this.wake(name));
    if (entry.state !== 'asleep') return this.whenHealthy(name);
    this.progress({ service: name, step: 'waking' });
    entry.waking = this.start(name)
      .then(() => {
        entry.asleep = undefined;
      })
      .catch((err: Error) => {
        // Not failed for good: it was asleep, and the next request wakes it anew.
        if (entry.state === 'failed' && !this.shuttingDown) this.set(entry, 'asleep');
        throw err;
      })
      .finally(() => {
        entry.waking = undefined;
      });
    return entry.waking;
  }

  async restart(name: ServiceName): Promise<void> {
    await this.stop(name);
    await this.start(name);
  }

  /** The services that depend on these, directly or not, in start order (a restarted Postgres: PostgREST, Kratos). */
  dependentsOf(names: readonly ServiceName[]): ServiceName[] {
    const hit = new Set(names);
    const out: ServiceName[] = [];
    for (const spec of this.order)
      if (!hit.has(spec.name) && spec.dependsOn.some((d) => hit.has(d))) {
        hit.add(spec.name);
        out.push(spec.name);
      }
    return out;
  }

  /** Whether the service outlives a restart of what it depends on (re-checked, not restarted, with it). */
  reconnects(name: ServiceName): boolean {
    return this.entry(name).spec.reconnects === true;
  }

  /** Waits until a running service passes its health check again (after its dependency restarted under it). */
  async recheck(name: ServiceName): Promise<void> {
    const { spec } = this.entry(name);
    await waitHealthy(spec.health, spec.startTimeoutMs, () =>
      this.driver.status(name).running ? undefined : 'exited while its dependency restarted',
    );
  }

  stateOf(name: ServiceName): ServiceState {
    return this.entry(name).state;
  }

  snapshot(): ServiceSnapshot[] {
    return this.order.map((spec) => {
      const entry = this.entry(spec.name);
      const status = this.driver.status(spec.name);
      return {
        name: spec.name,
        description: spec.description,
        state: entry.state,
        pid: status.pid,
        ports: spec.ports,
        startedAt: status.startedAt,
        restarts: entry.restarts,
        memoryBudgetMb: spec.memoryBudgetMb,
        lastExit: status.lastExit,
        failure: entry.failure,
        asleep: entry.state === 'asleep' ? entry.asleep : undefined,
      };
    });
  }

  private onUnexpectedExit(name: ServiceName, exit: ProcessExit): void {
    const entry = this.entries.get(name);
    if (!entry || this.shuttingDown || entry.state !== 'healthy') return;
    const now = Date.now();
    entry.crashes = [...entry.crashes.filter((t) => now - t < CRASH_WINDOW_MS), now];
    if (entry.crashes.length > MAX_CRASHES) {
      entry.failure = {
        reason: `${name} crashed ${entry.crashes.length} times in a minute (last: ${exit.reason}); not restarting`,
        logTail: this.driver.logs(name, 20),
      };
      this.set(entry, 'failed');
      return;
    }
    const delay = Math.min(250 * 2 ** (entry.crashes.length - 1), 10_000);
    this.set(entry, 'restarting');
    this.progress({ service: name, step: `crashed (${exit.reason}); restarting in ${delay} ms` });
    entry.restartTimer = setTimeout(() => {
      entry.restarts++;
      this.start(name).catch((err: Error) => this.progress({ service: name, step: `restart failed: ${err.message}` }));
    }, delay);
  }

  /** Resolves once the service is healthy; rejects if it fails or is stopped first (so a caller never hangs). */
  whenHealthy(name: ServiceName): Promise<void> {
    const entry = this.entry(name);
    if (entry.state === 'healthy') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onChange = (service: ServiceName, state: ServiceState) => {
        if (service !== name) return;
        if (state === 'healthy') resolve();
        else if (state === 'failed' || state === 'stopped') reject(new Error(`${name} is ${state}`));
        else return;
        this.off('change', onChange);
      };
      this.on('change', onChange);
    });
  }

  private entry(name: ServiceName): Entry {
    const entry = this.entries.get(name);
    if (!entry) throw new Error(`unknown service ${name}`);
    return entry;
  }

  private set(entry: Entry, state: ServiceState): void {
    entry.state = state;
    this.emit('change', entry.spec.name, state);
  }
}
