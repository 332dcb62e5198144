import type { Driver, ResourceUsage } from './driver.js';
import { TOTAL_MEMORY_BUDGET_MB } from './spec.js';

export interface MetricsSample {
  at: number;
  services: Record<string, ResourceUsage>;
  /** The appliance itself: the core process (gateway, supervisor). */
  appliance: ResourceUsage;
  total: ResourceUsage;
}

/** How long a read of the samples (a dashboard, a KPI run, the CLI) keeps the sampler at its fast pace. */
const WATCHED_FOR_MS = 30_000;

/**
 * Samples every service and the appliance into a ring buffer (10 minutes at the fast pace): once a second while
 * someone keeps reading the samples, every 5 s when nobody has for 30 s, every 15 s when the services that sleep are
 * asleep as well. Walking /proc and the smaps of Postgres'
 * processes is most of an idle appliance's CPU, and crashes do not depend on it (exits come from the processes and the
 * engine).
 */
export class MetricsSampler {
  private readonly ring: MetricsSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();
  private sampling = false;
  private watchedAt = 0;
  private readAt = 0;
  private sampledAt = 0;
  private quiet = false;

  constructor(
    private readonly driver: Driver,
    private readonly capacity = 600,
    private readonly intervalMs = 1000,
    private readonly idleIntervalMs = 5000,
    /** The pace when the appliance is quiet (its idle services asleep) and nobody watches. */
    private readonly quietIntervalMs = 15_000,
  ) {}

  /** Quiet: the services that sleep are asleep, so the samples change little; the sampler slows down further. */
  setQuiet(quiet: boolean): void {
    this.quiet = quiet;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      const watched = Date.now() - this.watchedAt < WATCHED_FOR_MS;
      const pace = this.quiet ? this.quietIntervalMs : this.idleIntervalMs;
      if (watched || Date.now() - this.sampledAt >= pace - this.intervalMs / 2) void this.sampleOnce();
    }, this.intervalMs);
    this.timer.unref();
  }

  /**
   * A second read within WATCHED_FOR_MS is someone watching (a dashboard polls every second): the fast pace, and a
   * fresh sample at once when the last one is from the slow pace. A single read (the CLI's banner at ready, `apprun
   * status`) leaves the pace alone.
   */
  private watch(): void {
    const now = Date.now();
    const repeated = now - this.readAt < WATCHED_FOR_MS;
    this.readAt = now;
    if (!repeated) return;
    this.watchedAt = now;
    if (this.timer && now - this.sampledAt > this.intervalMs * 1.5) void this.sampleOnce();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  latest(): MetricsSample | undefined {
    this.watch();
    return this.ring.at(-1);
  }

  since(at: number): MetricsSample[] {
    this.watch();
    return this.ring.filter((s) => s.at > at);
  }

  readonly budgetBytes = TOTAL_MEMORY_BUDGET_MB * 1024 * 1024;

  async sampleOnce(): Promise<MetricsSample | undefined> {
    if (this.sampling) return undefined;
    this.sampling = true;
    try {
      // A driver that cannot read its figures this once (a service stopping) skips a sample; it never ends the core.
      const stats = await this.driver.stats().catch(() => undefined);
      if (!stats) return undefined;
      const services = Object.fromEntries(stats);
      const now = performance.now();
      const cpu = process.cpuUsage(this.lastCpu);
      const appliance = {
        memoryBytes: process.memoryUsage.rss(),
        cpuPercent: ((cpu.user + cpu.system) / 1000 / (now - this.lastAt)) * 100,
      };
      this.lastCpu = process.cpuUsage();
      this.lastAt = now;
      const all = [...Object.values(services), appliance];
      const sample: MetricsSample = {
        at: Date.now(),
        services,
        appliance,
        total: {
          memoryBytes: all.reduce((s, u) => s + u.memoryBytes, 0),
          cpuPercent: all.reduce((s, u) => s + u.cpuPercent, 0),
        },
      };
      this.sampledAt = sample.at;
      this.ring.push(sample);
      if (this.ring.length > this.capacity) this.ring.shift();
      return sample;
    } finally {
      this.sampling = false;
    }
  }
}
