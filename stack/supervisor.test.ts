import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { Driver, DriverStatus, ProcessExit } from './driver.js';
import type { ServiceName, ServiceSpec } from './spec.js';
import { Supervisor } from './supervisor.js';

/** A driver whose processes are booleans: enough to test the supervisor's decisions. */
class FakeDriver extends EventEmitter implements Driver {
  readonly kind = 'native' as const;
  running = new Map<ServiceName, boolean>();
  starts: ServiceName[] = [];
  stops: ServiceName[] = [];
  async start(spec: ServiceSpec) {
    this.starts.push(spec.name);
    this.running.set(spec.name, true);
  }
  async stop(name: ServiceName) {
    this.stops.push(name);
    this.running.set(name, false);
  }
  status(name: ServiceName): DriverStatus {
    return { running: !!this.running.get(name), pid: this.running.get(name) ? 1 : undefined };
  }
  logs() {
    return ['last line'];
  }
  async stats() {
    return new Map();
  }
  async pause() {}
  async resume() {}
  crash(name: ServiceName) {
    this.running.set(name, false);
    this.emit('exit', name, {
      code: null,
      signal: 'SIGKILL',
      reason: 'killed by SIGKILL',
      at: Date.now(),
    } satisfies ProcessExit);
  }
}

const spec = (name: ServiceName, dependsOn: ServiceName[] = []): ServiceSpec => ({
  name,
  dependsOn,
  description: name,
  ports: {},
  command: { path: '/bin/true', args: [], env: {} },
  health: { kind: 'custom', describe: 'ok', run: async () => undefined },
  memoryBudgetMb: 1,
  stopSignal: 'SIGTERM',
  stopTimeoutMs: 100,
  startTimeoutMs: 1000,
});

describe('Supervisor', () => {
  it('starts in dependency order and stops in reverse', async () => {
    const driver = new FakeDriver();
    const sup = new Supervisor(driver, [spec('postgrest', ['postgres']), spec('postgres')]);
    await sup.startAll();
    expect(driver.starts).toEqual(['postgres', 'postgrest']);
    expect(sup.snapshot().map((s) => s.state)).toEqual(['healthy', 'healthy']);
    await sup.stopAll();
    expect(driver.stops).toEqual(['postgrest', 'postgres']);
  });

  it('restarts a crashed service with growing backoff, then marks it failed with the reason and its logs', async () => {
    vi.useFakeTimers();
    try {
      const driver = new FakeDriver();
      const sup = new Supervisor(driver, [spec('postgres')]);
      await sup.startAll();
      const delays: number[] = [];
      for (let i = 0; i < 5; i++) {
        driver.crash('postgres');
        expect(sup.snapshot()[0]!.state).toBe('restarting');
        const t0 = Date.now();
        while (sup.snapshot()[0]!.state !== 'healthy') await vi.advanceTimersByTimeAsync(50);
        delays.push(Date.now() - t0);
      }
      expect(delays[4]!).toBeGreaterThan(delays[0]!);
      expect(sup.snapshot()[0]!.restarts).toBe(5);
      driver.crash('postgres');
      const failed = sup.snapshot()[0]!;
      expect(failed.state).toBe('failed');
      expect(failed.failure?.reason).toMatch(/crashed 6 times in a minute \(last: killed by SIGKILL\)/);
      expect(failed.failure?.logTail).toEqual(['last line']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('says when every service has been launched, before the last one is healthy', async () => {
    const driver = new FakeDriver();
    let healthyWhenLaunched: string[] | undefined;
    const slow = {
      ...spec('postgrest', ['postgres']),
      health: { kind: 'custom' as const, describe: 'slow', run: () => new Promise<void>((r) => setTimeout(r, 50)) },
    };
    const sup = new Supervisor(driver, [slow, spec('postgres')]);
    await sup.startAll(
      () =>
        (healthyWhenLaunched = sup
          .snapshot()
          .filter((s) => s.state === 'healthy')
          .map((s) => s.name)),
    );
    expect(healthyWhenLaunched).toEqual(['postgres']);
  });

  it('counts a service as launched once its preparation says it only waits on a migration process, once', async () => {
    const driver = new FakeDriver();
    let spawnedAtLaunch: ServiceName[] | undefined;
    const migrating = {
      ...spec('kratos', ['postgres']),
      prepare: async (_progress: unknown, launched: () => void) => {
        launched();
        await new Promise((r) => setTimeout(r, 50)); // the migration process runs
      },
    };
    const onAllLaunched = vi.fn(() => (spawnedAtLaunch = [...driver.starts]));
    const sup = new Supervisor(driver, [migrating, spec('postgres')]);
    await sup.startAll(onAllLaunched);
    expect(spawnedAtLaunch).toEqual(['postgres']);
    expect(driver.starts).toEqual(['postgres', 'kratos']);
    expect(onAllLaunched).toHaveBeenCalledTimes(1);
  });

  it('still calls onAllLaunched when a service fails before the others launch', async () => {
    const driver = new FakeDriver();
    const bad = {
      ...spec('postgres'),
      startTimeoutMs: 50,
      health: { kind: 'custom' as const, describe: 'never', run: async () => Promise.reject(new Error('no')) },
    };
    const onAllLaunched = vi.fn();
    const sup = new Supervisor(driver, [spec('postgrest', ['postgres']), bad]);
    await expect(sup.startAll(onAllLaunched)).rejects.toThrow(/postgres did not start/);
    expect(driver.starts).toEqual(['postgres']);
    expect(onAllLaunched).toHaveBeenCalledTimes(1);
  });

  it('refuses to start a service whose dependency is down', async () => {
    const sup = new Supervisor(new FakeDriver(), [spec('postgrest', ['postgres']), spec('postgres')]);
    await expect(sup.start('postgrest')).rejects.toThrow(/postgres is stopped/);
  });

  it('reports a service that exits while starting, with its log tail', async () => {
    const driver = new FakeDriver();
    driver.start = async (s) => void driver.running.set(s.name, false);
    const bad = {
      ...spec('postgres'),
      health: { kind: 'custom' as const, describe: 'never', run: async () => Promise.reject(new Error('no')) },
    };
    const sup = new Supervisor(driver, [bad]);
    await expect(sup.startAll()).rejects.toThrow(/exited while starting[\s\S]*last line/);
    expect(sup.snapshot()[0]!.state).toBe('failed');
  });
});

describe('Supervisor health monitor', () => {
  it('restarts a service that stays up but stops answering its health check', async () => {
    vi.useFakeTimers();
    try {
      const driver = new FakeDriver();
      let answering = true;
      const hung = {
        ...spec('minio'),
        health: {
          kind: 'custom' as const,
          describe: 'ping',
          run: async () => (answering ? undefined : Promise.reject(new Error('no answer'))),
        },
      };
      const sup = new Supervisor(driver, [hung], () => undefined, 1000);
      await sup.startAll();
      answering = false;
      await vi.advanceTimersByTimeAsync(3500); // three failed checks
      expect(driver.stops).toEqual(['minio']);
      answering = true;
      while (sup.snapshot()[0]!.state !== 'healthy' || sup.snapshot()[0]!.restarts === 0)
        await vi.advanceTimersByTimeAsync(100);
      expect(driver.starts).toEqual(['minio', 'minio']);
      await sup.stopAll();
    } finally {
      vi.useRealTimers();
    }
  });

  it('watches a running service through its liveness check when it has one, not its readiness', async () => {
    vi.useFakeTimers();
    try {
      const driver = new FakeDriver();
      let ready = true;
      const busyDisk = {
        ...spec('minio'),
        health: {
          kind: 'custom' as const,
          describe: 'ready',
          run: async () => (ready ? undefined : Promise.reject(new Error('drive busy'))),
        },
        liveness: { kind: 'custom' as const, describe: 'live', run: async () => undefined },
      };
      const sup = new Supervisor(driver, [busyDisk], () => undefined, 1000);
      await sup.startAll();
      ready = false; // readiness fails for a while: a busy disk, not a hung service
      await vi.advanceTimersByTimeAsync(5000);
      expect(driver.stops).toEqual([]);
      expect(sup.snapshot()[0]!.state).toBe('healthy');
      await sup.stopAll();
    } finally {
      vi.useRealTimers();
    }
  });

  it('starts independent services side by side', async () => {
    const driver = new FakeDriver();
    const order: string[] = [];
    const slow = (name: ServiceName, deps: ServiceName[] = []) => ({
      ...spec(name, deps),
      prepare: async () => {
        order.push(`${name}:begin`);
        await new Promise((r) => setTimeout(r, 20));
        order.push(`${name}:end`);
      },
    });
    const sup = new Supervisor(driver, [slow('postgres'), slow('temporal'), slow('postgrest', ['postgres'])]);
    await sup.startAll();
    expect(order.slice(0, 2).sort()).toEqual(['postgres:begin', 'temporal:begin']);
    expect(order.indexOf('postgrest:begin')).toBeGreaterThan(order.indexOf('postgres:end'));
    await sup.stopAll();
  });

  it('puts a healthy service to sleep (neither failed nor healed) and wakes it once for concurrent callers', async () => {
    const driver = new FakeDriver();
    const sup = new Supervisor(driver, [spec('postgres'), spec('kratos', ['postgres'])]);
    await sup.startAll();
    expect(await sup.sleep('kratos', 42)).toBe(true);
    const asleep = sup.snapshot()[1]!;
    expect(asleep).toMatchObject({ state: 'asleep', asleep: { savedBytes: 42 } });
    expect(driver.running.get('kratos')).toBe(false);
    // An exit of an asleep service is not a crash: nothing restarts it.
    driver.crash('kratos');
    expect(sup.stateOf('kratos')).toBe('asleep');

    const starts = driver.starts.length;
    await Promise.all([sup.wake('kratos'), sup.wake('kratos'), sup.wake('kratos')]);
    expect(driver.starts.length).toBe(starts + 1);
    expect(sup.snapshot()[1]).toMatchObject({ state: 'healthy', asleep: undefined });
    expect(await sup.sleep('postgres')).toBe(true);
    await sup.stopAll();
    expect(sup.snapshot().map((s) => s.state)).toEqual(['stopped', 'stopped']);
  });

  it('keeps a service that fails to wake asleep, with the reason, so the next wake tries again', async () => {
    const driver = new FakeDriver();
    let healthy = true;
    const kratos = {
      ...spec('kratos'),
      health: {
        kind: 'custom' as const,
        describe: 'ok',
        run: async () => {
          if (!healthy) throw new Error('not answering');
        },
      },
      startTimeoutMs: 200,
    };
    const sup = new Supervisor(driver, [kratos]);
    await sup.startAll();
    await sup.sleep('kratos');
    healthy = false;
    await expect(sup.wake('kratos')).rejects.toThrow(/kratos did not start.*last log lines/s);
    expect(sup.stateOf('kratos')).toBe('asleep');
    healthy = true;
    await sup.wake('kratos');
    expect(sup.stateOf('kratos')).toBe('healthy');
    await sup.stopAll();
  });
});
