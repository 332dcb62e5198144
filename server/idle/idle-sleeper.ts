import type { ServiceName } from '../../stack/service-identity.js';
import type { Supervisor } from '../../stack/supervisor.js';
import { DomainError } from '../errors.js';
import type { Settings } from '../settings.js';

/** The services the gateway fronts that may sleep: Postgres (everything needs it) and PostgREST (the hot path) stay up. */
export const SLEEPERS: readonly ServiceName[] = ['kratos', 'minio', 'temporal'];

/** A few minutes without a request, unless the settings or APPRUN_IDLE_SLEEP_S say otherwise. */
export const DEFAULT_IDLE_SLEEP_S = 300;

/** The idle time before a service sleeps, in ms: APPRUN_IDLE_SLEEP_S, else the settings, else the default; 0 is off. */
export function idleSleepMs(
  settings: Pick<Settings, 'idleSleepSeconds'>,
  env = process.env.APPRUN_IDLE_SLEEP_S,
): number {
  const fromEnv = env === undefined || env === '' ? undefined : Number(env);
  if (fromEnv !== undefined && !(Number.isFinite(fromEnv) && fromEnv >= 0))
    throw new Error(`APPRUN_IDLE_SLEEP_S must be a number of seconds (0 turns sleeping off), not "${env}"`);
  return Math.round((fromEnv ?? settings.idleSleepSeconds ?? DEFAULT_IDLE_SLEEP_S) * 1000);
}

/** A request that finds its service asleep waits this long for it, then gets a 503 with Retry-After. */
export const WAKE_DEADLINE_MS = 5000;

export interface IdleSleeperOptions {
  supervisor: Supervisor;
  /** A service nobody used for this long sleeps; 0 turns sleeping off. */
  idleMs: number;
  wakeDeadlineMs?: number;
  /** Told at each check whether every sleeper is asleep (the metrics sampler slows down then). */
  quiet?: (allAsleep: boolean) => void;
  /** The memory a service holds now (the metrics' last sample), to say what sleeping saved. */
  memoryOf?: (name: ServiceName) => number | undefined;
  /**
   * Keeps every service awake (and wakes what sleeps, at the next check) while it says so: other gateways serve on
   * them, and this one neither sees their calls nor can they wake a service.
   */
  othersServing?: () => Promise<boolean>;
}

/**
 * Puts the services nobody calls to sleep and wakes them on the next call. Every door to a sleeper (the gateway's
 * admission of a route's upstream, the clients the admin screens use) calls awake() first: it marks the use and, when
 * the service sleeps, waits for one shared wake up to the deadline. A service is checked every few seconds.
 */
export class IdleSleeper {
  private readonly lastUse = new Map<ServiceName, number>();
  private readonly holds = new Map<ServiceName, () => Promise<boolean>>();
  private readonly letGo = new Map<ServiceName, () => Promise<void>>();
  private readonly releases: ((idleMs: number) => unknown)[] = [];
  private timer?: NodeJS.Timeout;
  private checking = false;
  /** Holders that keep every sleeper as it is (a KPI run measures what it woke, and sleeps it only on purpose). */
  private pins = 0;

  constructor(private readonly o: IdleSleeperOptions) {
    const now = Date.now();
    for (const name of SLEEPERS) this.lastUse.set(name, now);
  }

  get enabled(): boolean {
    return this.o.idleMs > 0;
  }

  start(): void {
    if (!this.enabled || this.timer) return;
    this.timer = setInterval(() => void this.check(), Math.min(5000, Math.max(250, this.o.idleMs / 4)));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Keeps a service awake while `needed` says so, though nobody calls it (Temporal while a workflow is open). */
  holdAwake(name: ServiceName, needed: () => Promise<boolean>): void {
    this.holds.set(name, needed);
  }

  /** Runs before the service sleeps: what depends on it lets go first (the workflow worker before Temporal). */
  beforeSleep(name: ServiceName, letGo: () => Promise<void>): void {
    this.letGo.set(name, letGo);
  }

  /** A part of the appliance itself that lets its idle resources go at each check (the function pool's threads). */
  releaseWhenIdle(release: (idleMs: number) => unknown): void {
    this.releases.push(release);
  }

  /** Nothing falls asleep on its own until the returned release is called (once). */
  pin(): () => void {
    this.pins++;
    let released = false;
    return () => {
      if (!released) this.pins--;
      released = true;
    };
  }

  /** Wakes every sleeper that sleeps (side by side); returns the ones it woke. */
  async wakeAll(): Promise<ServiceName[]> {
    const asleep = SLEEPERS.filter((name) => this.o.supervisor.stateOf(name) === 'asleep');
    await Promise.all(asleep.map((name) => this.awake(name)));
    return asleep;
  }

  /**
   * Sleeps every healthy sleeper now, idle or not, except those a hold keeps awake (what a measurement of the asleep
   * stack does, even with idle sleeping turned off); returns the ones that slept.
   */
  async sleepNow(): Promise<ServiceName[]> {
    const slept: ServiceName[] = [];
    for (const name of SLEEPERS) if (await this.putToSleep(name)) slept.push(name);
    return slept;
  }

  isAsleep(name: ServiceName): boolean {
    return this.o.supervisor.stateOf(name) === 'asleep';
  }

  /** Marks a use of the service, and wakes it first when it sleeps (a 503 `service_waking` past the deadline). */
  async awake(name: ServiceName): Promise<void> {
    this.lastUse.set(name, Date.now());
    const state = this.o.supervisor.stateOf(name);
    // Failed or stopped by hand: the call itself reports the outage. Asleep, falling asleep or waking: wait for it.
    if (state !== 'asleep' && state !== 'starting' && state !== 'stopping') return;
    // The metrics sampler keeps its usual pace again at once (the service counts from its first second).
    this.o.quiet?.(false);
    const deadline = this.o.wakeDeadlineMs ?? WAKE_DEADLINE_MS;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), deadline);
    });
    try {
      const woke = await Promise.race([this.o.supervisor.wake(name).then(() => 'awake' as const), late]);
      if (woke === 'late')
        throw new DomainError(
          'waking',
          'service_waking',
          `${name} was asleep (idle) and is still starting after ${deadline / 1000} s; retry in a moment`,
          { service: name },
        );
    } catch (err) {
      if (err instanceof DomainError) throw err;
      throw new DomainError(
        'waking',
        'service_waking',
        `${name} was asleep and did not wake: ${(err as Error).message}`,
        {
          service: name,
        },
      );
    } finally {
      clearTimeout(timer);
      this.lastUse.set(name, Date.now());
    }
  }

  /** Sleeps every healthy sleeper idle for longer than idleMs, unless something pins it awake. */
  async check(now = Date.now()): Promise<ServiceName[]> {
    if (this.checking || !this.enabled || this.pins > 0) return [];
    this.checking = true;
    const slept: ServiceName[] = [];
    try {
      for (const release of this.releases) release(this.o.idleMs);
      // Other gateways serve on the services and cannot wake them: what sleeps wakes, and nothing sleeps.
      if (await (this.o.othersServing?.() ?? Promise.resolve(false)).catch(() => true)) {
        await this.wakeAll().catch(() => undefined);
        return slept;
      }
      for (const name of SLEEPERS) {
        if (this.o.supervisor.stateOf(name) !== 'healthy') continue;
        if (now - (this.lastUse.get(name) ?? now) < this.o.idleMs) continue;
        // A request may come while the service lets go: it wins.
        const usedMeanwhile = () => Date.now() - (this.lastUse.get(name) ?? 0) < this.o.idleMs;
        if (await this.putToSleep(name, usedMeanwhile)) slept.push(name);
      }
    } finally {
      this.checking = false;
      this.o.quiet?.(SLEEPERS.every((name) => this.o.supervisor.stateOf(name) === 'asleep'));
    }
    return slept;
  }

  /** Sleeps one healthy service unless a hold pins it or `cancelled` says a use came meanwhile. */
  private async putToSleep(name: ServiceName, cancelled: () => boolean = () => false): Promise<boolean> {
    if (this.o.supervisor.stateOf(name) !== 'healthy') return false;
    // A hold that cannot tell (Temporal not answering its query) keeps the service awake.
    if (await (this.holds.get(name)?.() ?? Promise.resolve(false)).catch(() => true)) return false;
    const memory = this.o.memoryOf?.(name);
    await this.letGo.get(name)?.();
    if (cancelled()) return false;
    // The supervisor says so in the progress (`asleep (idle)`).
    return this.o.supervisor.sleep(name, memory);
  }
}
