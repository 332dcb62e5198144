import os from 'node:os';
import { runLoad } from '../../load/load-runner.js';
import { checkAborted, FIXTURE_READ, type Suite } from './suite.js';

const SECONDS = { quick: 5, full: 20 } as const;
/** The asleep figure: a few samples once the sleepers have stopped (their memory is gone at the next sample). */
const ASLEEP_SECONDS = { quick: 3, full: 10 } as const;
const MB = 2 ** 20;

/**
 * Memory and CPU of the whole stack (every service and the core), from the supervisor's samples: at idle, then under
 * the data load (500 req/s open loop through the gateway); CPU as a share of the machine. Then the services that may
 * sleep are put to sleep for a few seconds (the idle stack's weight when nobody calls it), and woken again.
 */
export const resourcesSuite: Suite = {
  name: 'resources',
  deadlineMs: { quick: 60_000, full: 120_000 },
  async run(ctx) {
    const seconds = SECONDS[ctx.profile];
    const cores = os.cpus().length;
    const watch = async (until: Promise<unknown>) => {
      const seen: { memoryBytes: number; cpuPercent: number }[] = [];
      let done = false;
      void until.finally(() => (done = true));
      while (!done) {
        await new Promise((r) => setTimeout(r, 1000));
        const u = ctx.usage();
        if (u) seen.push(u);
      }
      await until;
      if (!seen.length) throw new Error('the supervisor has no resource samples');
      return {
        memoryMb: Math.round(Math.max(...seen.map((s) => s.memoryBytes)) / MB),
        cpuPct: Math.round((seen.reduce((n, s) => n + s.cpuPercent, 0) / seen.length / cores) * 10) / 10,
      };
    };
    ctx.progress(`idle for ${seconds} s`, 0);
    const idle = await watch(new Promise((r) => setTimeout(r, seconds * 1000)));
    checkAborted(ctx.signal);
    ctx.progress(`under load (500 req/s through the gateway) for ${seconds} s`, 0.5);
    const headers = { authorization: `Bearer ${await ctx.token(ctx.people().admin)}`, ...FIXTURE_READ };
    const loaded = await watch(
      runLoad(
        [{ name: 'load', url: `${ctx.gatewayUrl}/data/products?select=name`, rate: 500, seconds, headers }],
        (t) => ctx.sample({ stream: 'gateway @500/s', rps: t.ok, p50Ms: t.p50Ms, p99Ms: t.p99Ms }),
      ),
    );
    checkAborted(ctx.signal);
    ctx.progress('putting the services that may sleep to sleep', 0.9);
    const slept = await ctx.sleepAll();
    let asleep: { memoryMb: number; cpuPct: number };
    try {
      // The first sample after the stop may still count a process on its way out.
      await new Promise((r) => setTimeout(r, 1500));
      ctx.progress(`${slept.join(', ') || 'nothing'} asleep for ${ASLEEP_SECONDS[ctx.profile]} s`, 0.92);
      asleep = await watch(new Promise((r) => setTimeout(r, ASLEEP_SECONDS[ctx.profile] * 1000)));
    } finally {
      ctx.progress(`waking ${slept.join(', ')}`, 0.98);
      await ctx.wakeAll();
    }
    return {
      values: {
        asleepMemoryMb: asleep.memoryMb,
        asleepCpuPct: asleep.cpuPct,
        idleMemoryMb: idle.memoryMb,
        loadedMemoryMb: loaded.memoryMb,
        peakMemoryMb: Math.max(idle.memoryMb, loaded.memoryMb),
        idleCpuPct: idle.cpuPct,
        loadedCpuPct: loaded.cpuPct,
      },
    };
  },
};
