// The idle-sleep row of bench:stack: an apprun with a 2 s idle time, its memory and CPU with every service awake and
// with Kratos, MinIO and Temporal asleep, and the first request after a sleep by each one's door (a login, a storage
// list, a workflow start), timed from the client over several sleep/wake cycles.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { adminApi } from '../server/api/contract.js';
import type { StackView } from '../server/api/views.js';
import { DEFAULT_DEV_PASSWORD } from '../server/settings.js';
import { startApprun } from '../server/test/apprun-process.js';
import { median } from './report.js';

const SLEEPERS = ['kratos', 'minio', 'temporal'] as const;
type Sleeper = (typeof SLEEPERS)[number];

export interface IdleSleepResult {
  cycles: number;
  awake: { memoryMb: number; cpuPercent: number };
  asleep: { memoryMb: number; cpuPercent: number; applianceMb: number };
  /** First request after a sleep, ms, per service: every cycle's figure, the median and the worst. */
  wake: Record<Sleeper, { ms: number[]; p50: number; max: number }>;
}

const mb = (bytes: number | undefined) => Math.round(((bytes ?? 0) / 2 ** 20) * 10) / 10;

/** Mean total memory and CPU over `seconds` of the sampler's own samples, all services as they are. */
async function settle(api: ReturnType<typeof adminApi>, seconds: number) {
  const since = Date.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const { samples } = await api.metrics(since);
  const mean = (pick: (s: (typeof samples)[number]) => number) =>
    samples.reduce((sum, s) => sum + pick(s), 0) / Math.max(1, samples.length);
  return {
    memoryMb: mb(mean((s) => s.total.memoryBytes)),
    cpuPercent: Math.round(mean((s) => s.total.cpuPercent) * 100) / 100,
    applianceMb: mb(mean((s) => s.appliance.memoryBytes)),
  };
}

async function untilAsleep(api: ReturnType<typeof adminApi>, which: readonly Sleeper[]): Promise<StackView> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const stack = await api.stack();
    if (which.every((n) => stack.services.find((s) => s.name === n)?.state === 'asleep')) return stack;
    if (Date.now() > deadline) throw new Error(`${which.join(', ')} did not fall asleep within 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function measureIdleSleep(portBase: number, cycles: number, log: (line: string) => void) {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-bench-idle-'));
  await fs.chmod(home, 0o755);
  log(`idle sleep: apprun with APPRUN_IDLE_SLEEP_S=2 (ports ${portBase}+)`);
  const run = await startApprun(home, portBase, [], { APPRUN_IDLE_SLEEP_S: '2' });
  try {
    const api = adminApi(run.state);
    const url = (p: string) => `${run.state.gatewayUrl}${p}`;
    const login = async () => {
      const res = await fetch(url('/auth/login'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'alice@test.com', password: DEFAULT_DEV_PASSWORD }),
      });
      if (res.status !== 200) throw new Error(`login after sleep: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { access_token: string }).access_token;
    };
    const doors: Record<Sleeper, (token: string) => Promise<Response>> = {
      kratos: async () => new Response(await login()),
      minio: (token) => fetch(url('/storage'), { headers: { authorization: `Bearer ${token}` } }),
      temporal: (token) =>
        fetch(url('/workflows/registration'), {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ email: `bench-${randomUUID().slice(0, 6)}@example.test` }),
        }),
    };
    let token = await login();
    log('idle sleep: everything awake (a login, a storage list and a workflow done), then 2 s of samples');
    await doors.minio(token);
    await doors.temporal(token);
    const awake = await settle(api, 2);
    const wake: IdleSleepResult['wake'] = {
      kratos: { ms: [], p50: 0, max: 0 },
      minio: { ms: [], p50: 0, max: 0 },
      temporal: { ms: [], p50: 0, max: 0 },
    };
    let asleep: IdleSleepResult['asleep'] | undefined;
    for (let cycle = 1; cycle <= cycles; cycle++) {
      for (const name of SLEEPERS) {
        await untilAsleep(api, [name]);
        if (!asleep) {
          await untilAsleep(api, SLEEPERS);
          log('idle sleep: Kratos, MinIO and Temporal asleep; 10 s of samples');
          asleep = await settle(api, 10);
        }
        const t0 = performance.now();
        const res = await doors[name](token);
        const ms = performance.now() - t0;
        if (name !== 'kratos' && res.status >= 300) throw new Error(`${name} after sleep: ${res.status}`);
        if (name === 'kratos') token = await res.text();
        wake[name].ms.push(Math.round(ms));
        log(`idle sleep: cycle ${cycle}/${cycles}: first ${name} request after its sleep: ${Math.round(ms)} ms`);
      }
    }
    for (const name of SLEEPERS) {
      wake[name].p50 = Math.round(median(wake[name].ms));
      wake[name].max = Math.max(...wake[name].ms);
    }
    return { cycles, awake: { memoryMb: awake.memoryMb, cpuPercent: awake.cpuPercent }, asleep: asleep!, wake };
  } finally {
    await run.stop();
    await fs.rm(home, { recursive: true, force: true });
  }
}
