import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Driver } from './driver.js';
import { MetricsSampler } from './metrics.js';

/** A driver that only counts how often it is sampled (the sampler's pace is what is under test). */
function countingDriver() {
  const driver = Object.assign(new EventEmitter(), {
    kind: 'native' as const,
    calls: 0,
    pause: async () => {},
    resume: async () => {},
    async stats() {
      driver.calls++;
      return new Map([['postgres', { memoryBytes: 1, cpuPercent: 0 }]]);
    },
  });
  return driver as typeof driver & Driver;
}

afterEach(() => vi.useRealTimers());

describe('MetricsSampler', () => {
  it('samples every 5 s while nobody reads, every second while someone keeps reading, and at once when they start', async () => {
    vi.useFakeTimers();
    const driver = countingDriver();
    const sampler = new MetricsSampler(driver);
    sampler.start();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(driver.calls).toBe(4); // idle: every 5 s

    sampler.latest(); // a single read (the CLI's banner, `apprun status`) leaves the pace alone
    await vi.advanceTimersByTimeAsync(500);
    expect(driver.calls).toBe(4);
    sampler.since(0); // a dashboard's next poll: someone is watching
    await vi.advanceTimersByTimeAsync(0);
    expect(driver.calls).toBe(5); // a fresh sample at once
    await vi.advanceTimersByTimeAsync(10_000);
    expect(driver.calls).toBe(15); // watched: every second

    await vi.advanceTimersByTimeAsync(60_000); // nobody for 30 s: back to the slow pace
    const slow = driver.calls;
    await vi.advanceTimersByTimeAsync(20_000);
    expect(driver.calls - slow).toBe(4);
    sampler.stop();
  });

  it('skips a sample, and keeps sampling, when the driver cannot read its figures', async () => {
    const driver = countingDriver();
    const sampler = new MetricsSampler(driver);
    driver.stats = async () => {
      driver.calls++;
      throw new TypeError("Cannot read properties of undefined (reading 'stats')");
    };
    expect(await sampler.sampleOnce()).toBeUndefined();
    driver.stats = async () => new Map([['postgres', { memoryBytes: 5, cpuPercent: 1 }]]);
    expect((await sampler.sampleOnce())?.services.postgres?.memoryBytes).toBe(5);
  });
});
