// npm run bench:stack — per driver (native, and docker when an engine answers), side by side from one run: cold and
// warm start to all-healthy, idle memory and CPU per service, memory under load. Each start is a separate `apprun up`
// process; cold = a fresh app home (binaries cached; docker images built once, before the timed starts).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { adminApi } from '../server/api/contract.js';
import { load } from '../server/load/closed-loop.js';
import { startApprun } from '../server/test/apprun-process.js';
import { clusterTemplate } from '../stack/cluster-template.js';
import { connectEngine } from '../stack/docker/engine.js';
import { resolveCacheDir } from '../stack/home.js';
import type { MetricsSample } from '../stack/metrics.js';
import { loginToken, mb } from './apprun-process.js';
import { idleSleepKpis, measureIdleSleep } from './idle-sleep.js';
import { type BenchReport, machine, markdownTable, median, publishReport } from './report.js';

const STARTS = Number(process.env.BENCH_STARTS ?? 3);
// Long enough for two whole 5 s sampling intervals after the one that spans ready.
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 15);
// V8 shrinks the core's young generation (grown by the start's allocations) with its first memory-reducing collection
// once the core is quiet, 15–35 s after ready here: the settled window starts after that.
const SETTLE_SECONDS = Number(process.env.BENCH_SETTLE_SECONDS ?? 45);
const LOAD_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? 25100);

const log = (line: string) => process.stdout.write(`[bench:stack] ${line}\n`);

async function freshHome(): Promise<string> {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-bench-stack-'));
  await fs.chmod(home, 0o755);
  return home;
}

/**
 * Per-key mean of memory (MB) over samples and of CPU (% of one core) over cpuSamples. A sample's CPU is the share
 * since the sample before it, so a window that must not count earlier work (the start's end, before ready) takes
 * CPU only from samples whose interval began inside it: see `sinceWholly`.
 */
function average(samples: MetricsSample[], cpuSamples = samples) {
  const keys = [...Object.keys(samples[0]!.services), 'appliance', 'total'];
  const pick = (s: MetricsSample, k: string) =>
    k === 'appliance' ? s.appliance : k === 'total' ? s.total : s.services[k];
  const mean = (list: MetricsSample[], k: string, of: (u: { memoryBytes: number; cpuPercent: number }) => number) => {
    const values = list.map((s) => pick(s, k)).filter((u) => u !== undefined);
    return values.reduce((a, u) => a + of(u), 0) / values.length;
  };
  return Object.fromEntries(
    keys.map((k) => [
      k,
      {
        memoryMb: mb(mean(samples, k, (u) => u.memoryBytes)),
        cpuPercent: Math.round(mean(cpuSamples, k, (u) => u.cpuPercent) * 10) / 10,
      },
    ]),
  ) as Record<string, { memoryMb: number; cpuPercent: number }>;
}

/**
 * The samples whose whole interval lies after `since`. The core takes a sample just before it reports ready and then
 * samples every 5 s while nobody watches, so the first sample after ready still spans the start's last steps.
 */
function sinceWholly(samples: MetricsSample[], since: number): MetricsSample[] {
  return samples.slice(1).filter((_, i) => samples[i]!.at >= since);
}

type Driver = 'native' | 'docker';
interface DriverResult {
  driver: Driver;
  cold: number[];
  warm: number[];
  coldS: number;
  warmS: number;
  idle: ReturnType<typeof average>;
  /** The same means over IDLE_SECONDS from SETTLE_SECONDS after ready: what an idle appliance keeps. */
  settled: ReturnType<typeof average>;
  loaded: ReturnType<typeof average>;
  peakLoadedMb: number;
  loadRps: number;
}

/** Cold and warm starts, then idle and loaded samples, of one driver. */
async function measure(driver: Driver, homes: string[]): Promise<DriverResult> {
  const args = ['--driver', driver];
  const cold: number[] = [];
  const warm: number[] = [];
  if (driver === 'docker') {
    log('docker: a first start builds the images (not timed)');
    const home = await freshHome();
    homes.push(home);
    await (await startApprun(home, PORT_BASE, args)).stop();
  }
  for (let i = 1; i <= STARTS; i++) {
    const home = await freshHome();
    homes.push(home);
    log(`${driver}: cold start ${i}/${STARTS} (fresh home: a copy of the cluster template)`);
    const run = await startApprun(home, PORT_BASE, args);
    cold.push(run.startMs);
    log(`  all healthy in ${(run.startMs / 1000).toFixed(2)} s`);
    await run.stop();
  }
  const home = homes.at(-1)!;
  for (let i = 1; i < STARTS; i++) {
    log(`${driver}: warm start ${i}/${STARTS} (existing home)`);
    const run = await startApprun(home, PORT_BASE, args);
    warm.push(run.startMs);
    await run.stop();
  }
  log(
    `${driver}: warm start ${STARTS}/${STARTS}, then idle (${IDLE_SECONDS} s from ready, ${IDLE_SECONDS} s from ` +
      `${SETTLE_SECONDS} s after ready) and ${LOAD_SECONDS} s of load`,
  );
  const run = await startApprun(home, PORT_BASE, args);
  warm.push(run.startMs);
  try {
    const since = Date.now();
    await new Promise((r) => setTimeout(r, (IDLE_SECONDS + 1) * 1000));
    const around = (await adminApi(run.state).metrics(since - 60_000)).samples;
    const whole = sinceWholly(around, since);
    if (whole.length === 0)
      throw new Error(`BENCH_IDLE_SECONDS=${IDLE_SECONDS} holds no whole sampling interval after ready (5 s each)`);
    const idle = average(
      around.filter((s) => s.at > since),
      whole,
    );
    // Nobody reads the samples meanwhile, so the sampler keeps its idle pace.
    await new Promise((r) => setTimeout(r, Math.max(0, since + (SETTLE_SECONDS + IDLE_SECONDS) * 1000 - Date.now())));
    const settled = average((await adminApi(run.state).metrics(since + SETTLE_SECONDS * 1000)).samples);
    const loadSince = Date.now();
    const result = await load(`${run.state.gatewayUrl}/data/products`, {
      connections: 32,
      seconds: LOAD_SECONDS,
      headers: { authorization: `Bearer ${await loginToken(run.state)}` },
    });
    const loadSamples = (await adminApi(run.state).metrics(loadSince)).samples;
    return {
      driver,
      cold,
      warm,
      coldS: median(cold) / 1000,
      warmS: median(warm) / 1000,
      idle,
      settled,
      loaded: average(loadSamples),
      peakLoadedMb: mb(Math.max(...loadSamples.map((s) => s.total.memoryBytes))),
      loadRps: Math.round(result.rps),
    };
  } finally {
    await run.stop();
  }
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const homes: string[] = [];
  try {
    const engine = await connectEngine();
    if (!engine.docker) log(`docker: skipped, ${engine.reason}`);
    // BENCH_DRIVERS=native measures one driver only (a quicker before/after for one change).
    const asked = (process.env.BENCH_DRIVERS ?? 'native,docker').split(',');
    const drivers = (engine.docker ? ['native', 'docker'] : ['native']).filter((d) => asked.includes(d)) as Driver[];
    // Like the binaries: a cold start copies the template, which the first start on a machine builds.
    log('the database cluster template: found or built once per machine (not timed)');
    await clusterTemplate(resolveCacheDir(), (e) => log(`  ${e.step}`));
    const results: DriverResult[] = [];
    for (const driver of drivers) results.push(await measure(driver, homes));
    // BENCH_IDLE_CYCLES=0 leaves the idle-sleep row out.
    const idleCycles = Number(process.env.BENCH_IDLE_CYCLES ?? 7);
    const idle = idleCycles > 0 ? await measureIdleSleep(PORT_BASE + 600, idleCycles, log) : undefined;
    const kpis = results.flatMap((r) => [
      {
        name: `${r.driver}: cold start to all-healthy`,
        target: '< 30 s',
        measured: `${r.coldS.toFixed(2)} s`,
        pass: r.coldS < 30,
      },
      {
        name: `${r.driver}: warm start to all-healthy`,
        target: '< 10 s',
        measured: `${r.warmS.toFixed(2)} s`,
        pass: r.warmS < 10,
      },
      {
        name: `${r.driver}: memory at idle (stack + appliance)`,
        target: '< 1024 MB',
        measured: `${r.idle.total!.memoryMb} MB`,
        pass: r.idle.total!.memoryMb < 1024,
      },
      {
        name: `${r.driver}: memory under load (peak)`,
        target: '< 1024 MB',
        measured: `${r.peakLoadedMb} MB`,
        pass: r.peakLoadedMb < 1024,
      },
      {
        name: `${r.driver}: CPU at idle (total, % of one core)`,
        target: '< 50 %',
        measured: `${r.idle.total!.cpuPercent} %`,
        pass: r.idle.total!.cpuPercent < 50,
      },
    ]);
    if (idle) kpis.push(...idleSleepKpis(idle, 'native: '));
    const report: BenchReport = {
      suite: 'stack',
      startedAt,
      machine: machine(),
      results: { drivers: results, idleSleep: idle },
      kpis,
    };
    const services = Object.keys(results[0]!.idle);
    const cell = (r: DriverResult, k: string) =>
      `${r.idle[k]?.memoryMb ?? '—'} MB / ${r.idle[k]?.cpuPercent ?? '—'} % · ${r.loaded[k]?.memoryMb ?? '—'} MB / ${r.loaded[k]?.cpuPercent ?? '—'} %`;
    await publishReport(report, [
      `# bench:stack — ${startedAt}`,
      '',
      `${report.machine.cpus} cores (${report.machine.cpuModel}), Node ${report.machine.node}; binaries cached; ` +
        `${STARTS} cold and ${STARTS} warm starts per driver, medians.`,
      '',
      markdownTable(
        ['', ...results.map((r) => r.driver)],
        [
          [
            'cold start to all-healthy',
            ...results.map((r) => `${r.coldS.toFixed(2)} s (${r.cold.map((t) => (t / 1000).toFixed(1)).join(', ')})`),
          ],
          [
            'warm start to all-healthy',
            ...results.map((r) => `${r.warmS.toFixed(2)} s (${r.warm.map((t) => (t / 1000).toFixed(1)).join(', ')})`),
          ],
          [
            'idle memory, stack + appliance: at ready / settled',
            ...results.map((r) => `${r.idle.total!.memoryMb} / ${r.settled.total!.memoryMb} MB`),
          ],
          [
            'appliance memory: at ready / settled',
            ...results.map((r) => `${r.idle.appliance!.memoryMb} / ${r.settled.appliance!.memoryMb} MB`),
          ],
          [
            'idle CPU, whole stack: at ready / settled',
            ...results.map((r) => `${r.idle.total!.cpuPercent} / ${r.settled.total!.cpuPercent} %`),
          ],
          ['peak memory under load', ...results.map((r) => `${r.peakLoadedMb} MB (${r.loadRps} req/s)`)],
        ],
      ),
      '',
      `Per service, idle MB / CPU % (of one core) · under load MB / CPU %, means over ${IDLE_SECONDS} s from ready and ${LOAD_SECONDS} s of load. ` +
        "Idle CPU counts only the sampler's whole intervals after ready: the first sample after ready still spans the start's last steps.",
      '',
      markdownTable(
        ['service', ...results.map((r) => r.driver)],
        services.map((k) => [k, ...results.map((r) => cell(r, k))]),
      ),
      '',
      ...(idle
        ? [
            `Idle sleep (native, APPRUN_IDLE_SLEEP_S=2; ${idle.cycles} sleep/wake cycles per service, timed at the client; ` +
              'the worst of the cycles stands for p99 with this few):',
            '',
            markdownTable(
              ['', 'measured'],
              [
                ['every service awake: memory / CPU', `${idle.awake.memoryMb} MB / ${idle.awake.cpuPercent} %`],
                [
                  'Kratos, MinIO, Temporal asleep: memory (appliance) / CPU',
                  `${idle.asleep.memoryMb} MB (${idle.asleep.applianceMb} MB) / ${idle.asleep.cpuPercent} %`,
                ],
                ...(['kratos', 'minio', 'temporal'] as const).map((name) => [
                  `first ${name} request after a sleep (${name === 'kratos' ? 'a login' : name === 'minio' ? 'a storage list' : 'a workflow start'})`,
                  `p50 ${idle.wake[name].p50} ms, worst ${idle.wake[name].max} ms (${idle.wake[name].ms.join(', ')})`,
                ]),
              ],
            ),
            '',
          ]
        : []),
      "Memory: the native driver sums each service's PSS over its process tree (shared pages split between their " +
        "users; a service of one process counts its RSS, equal to its PSS to the MB here); the docker driver reads the engine's cgroup usage less inactive file cache (as `docker stats`), which " +
        'counts page cache the service touched and not the shared libraries of other processes.',
    ]);
  } finally {
    for (const home of homes) await fs.rm(home, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  process.stderr.write(`bench:stack failed: ${err.message}\n`);
  process.exit(1);
});
