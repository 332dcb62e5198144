// The idle-sleep row of bench:stack: an apprun with a 2 s idle time, its memory and CPU with every service awake and
// with Kratos, MinIO and Temporal asleep, and the first request after a sleep by each one's door (a login, a storage
// list, a workflow start), timed from the client over several sleep/wake cycles.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
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

/** CPU ticks (utime + stime) of a process and every process under it, by pid, from /proc. */
function treeTicks(rootPid: number): Map<number, number> {
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(pid, Number(fields[1]));
      ticks.set(pid, Number(fields[11]) + Number(fields[12]));
    } catch {
      // gone meanwhile
    }
  }
  const under = (pid: number): boolean => {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parent.get(p)) if (p === rootPid) return true;
    return false;
  };
  return new Map([...ticks].filter(([pid]) => under(pid)));
}

/** Ticks spent between two readings: by the processes in both, and all of those started in between. */
function ticksBetween(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, t] of after) sum += t - (before.get(pid) ?? 0);
  return sum;
}

/**
 * CPU: the whole process tree's ticks from /proc over `seconds`, without calling the API meanwhile (a dashboard or a
 * poll keeps the sampler at its fast pace, which is itself CPU). Memory: the sampler's last sample then (PSS).
 */
async function settle(api: ReturnType<typeof adminApi>, rootPid: number, seconds: number) {
  const before = treeTicks(rootPid);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpuPercent = Math.round((ticksBetween(before, treeTicks(rootPid)) / 100 / seconds) * 100 * 100) / 100;
  // The sampler's latest sample: a single read leaves its pace alone (quiet: every 15 s).
  const { total, appliance } = await api.stack();
  return { memoryMb: mb(total?.memoryBytes), cpuPercent, applianceMb: mb(appliance?.memoryBytes) };
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
    log('idle sleep: everything awake (a login, a storage list and a workflow done): one sample');
    await doors.minio(token);
    await doors.temporal(token);
    // Awake: the sampler's figures right after every door was used (with a 2 s idle time they do not stay awake long).
    await api.metrics(Date.now()); // a read puts the sampler at its fast pace
    await new Promise((r) => setTimeout(r, 1100));
    const now = await api.stack();
    const awake = {
      memoryMb: mb(now.total?.memoryBytes),
      cpuPercent: Math.round((now.total?.cpuPercent ?? 0) * 100) / 100,
    };
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
          log('idle sleep: Kratos, MinIO and Temporal asleep; 30 s untouched, then 10 s measured');
          // Untouched for a moment first: the polls above kept the sampler at its fast pace for a while.
          await new Promise((r) => setTimeout(r, 30_000));
          asleep = await settle(api, run.child.pid!, 10);
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

/** The idle-sleep KPIs of the issue, for bench:idle and bench:stack alike. */
export function idleSleepKpis(idle: IdleSleepResult, prefix = '') {
  return [
    {
      name: `${prefix}memory with Kratos, MinIO and Temporal asleep (stack + appliance)`,
      target: '≤ 250 MB',
      measured: `${idle.asleep.memoryMb} MB`,
      pass: idle.asleep.memoryMb <= 250,
    },
    {
      name: `${prefix}CPU with them asleep (whole process tree, % of one core)`,
      target: '≤ 0.5 %',
      measured: `${idle.asleep.cpuPercent} %`,
      pass: idle.asleep.cpuPercent <= 0.5,
    },
    ...SLEEPERS.map((name) => ({
      name: `${prefix}first ${name} request after a sleep`,
      target: 'p50 ≤ 500 ms, p99 ≤ 1.5 s',
      measured: `p50 ${idle.wake[name].p50} ms, worst of ${idle.cycles} ${idle.wake[name].max} ms`,
      pass: idle.wake[name].p50 <= 500 && idle.wake[name].max <= 1500,
    })),
  ];
}
