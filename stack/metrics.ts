import type { Driver, ResourceUsage } from './driver.js';
import { TOTAL_MEMORY_BUDGET_MB } from './spec.js';

export interface MetricsSample {
  at: number;
  services: Record<string, ResourceUsage>;
  /** The appliance itself: the core process (gateway, supervisor). */
  appliance: ResourceUsage;
  total: ResourceUsage;
}

/** Samples every service and the appliance once a second into a ring buffer (10 minutes by default). */
export class MetricsSampler {
  private readonly ring: MetricsSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();
  private sampling = false;

  constructor(
    private readonly driver: Driver,
    private readonly capacity = 600,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sampleOnce(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  latest(): MetricsSample | undefined {
    return this.ring.at(-1);
  }

  since(at: number): MetricsSample[] {
    return this.ring.filter((s) => s.at > at);
  }

  readonly budgetBytes = TOTAL_MEMORY_BUDGET_MB * 1024 * 1024;

  async sampleOnce(): Promise<MetricsSample | undefined> {
    if (this.sampling) return undefined;
    this.sampling = true;
    try {
      const services = Object.fromEntries(await this.driver.stats());
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
      this.ring.push(sample);
      if (this.ring.length > this.capacity) this.ring.shift();
      return sample;
    } finally {
      this.sampling = false;
    }
  }
}
