// npm run bench:stack — cold and warm start to all-healthy, idle memory and CPU per service, memory under the data
// benchmark's load. Each start is a separate `apprun up` process; cold = a fresh app home (binaries cached).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { adminApi } from '../server/api/contract.js';
import { load } from '../server/load/closed-loop.js';
import { startApprun } from '../server/test/apprun-process.js';
import type { MetricsSample } from '../stack/metrics.js';
import { loginToken, mb } from './apprun-process.js';
import { type BenchReport, machine, markdownTable, median, publishReport } from './report.js';

const STARTS = Number(process.env.BENCH_STARTS ?? 3);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
const LOAD_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? 25100);

const log = (line: string) => process.stdout.write(`[bench:stack] ${line}\n`);

async function freshHome(): Promise<string> {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-bench-stack-'));
  await fs.chmod(home, 0o755);
  return home;
}

/** Per-key mean of memory (MB) and CPU (% of one core) over samples. */
function average(samples: MetricsSample[]) {
  const keys = [...Object.keys(samples[0]!.services), 'appliance', 'total'];
  const pick = (s: MetricsSample, k: string) =>
    k === 'appliance' ? s.appliance : k === 'total' ? s.total : s.services[k];
  return Object.fromEntries(
    keys.map((k) => {
      const values = samples.map((s) => pick(s, k)).filter((u) => u !== undefined);
      return [
        k,
        {
          memoryMb: mb(values.reduce((a, u) => a + u.memoryBytes, 0) / values.length),
          cpuPercent: Math.round((values.reduce((a, u) => a + u.cpuPercent, 0) / values.length) * 10) / 10,
        },
      ];
    }),
  ) as Record<string, { memoryMb: number; cpuPercent: number }>;
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const homes: string[] = [];
  const cold: number[] = [];
  const warm: number[] = [];
  try {
    for (let i = 1; i <= STARTS; i++) {
      const home = await freshHome();
      homes.push(home);
      log(`cold start ${i}/${STARTS} (fresh home: initdb, migrations, Kratos migrations)`);
      const run = await startApprun(home, PORT_BASE);
      cold.push(run.startMs);
      log(`  all healthy in ${(run.startMs / 1000).toFixed(2)} s`);
      await run.stop();
    }
    const home = homes[0]!;
    for (let i = 1; i <= STARTS; i++) {
      log(`warm start ${i}/${STARTS} (existing home)`);
      const run = await startApprun(home, PORT_BASE);
      warm.push(run.startMs);
      log(`  all healthy in ${(run.startMs / 1000).toFixed(2)} s`);
      if (i < STARTS) await run.stop();
      else {
        log(`idle for ${IDLE_SECONDS} s, sampling every second`);
        const since = Date.now();
        await new Promise((r) => setTimeout(r, (IDLE_SECONDS + 1) * 1000));
        const idleSamples = (await adminApi(run.state).metrics(since)).samples;
        const idle = average(idleSamples);

        log(`data load: GET /data/products through the gateway, 32 connections, ${LOAD_SECONDS} s`);
        const loadSince = Date.now();
        const result = await load(`${run.state.gatewayUrl}/data/products`, {
          connections: 32,
          seconds: LOAD_SECONDS,
          headers: { authorization: `Bearer ${await loginToken(run.state)}` },
        });
        const loadSamples = (await adminApi(run.state).metrics(loadSince)).samples;
        const loaded = average(loadSamples);
        const peakLoadedMb = mb(Math.max(...loadSamples.map((s) => s.total.memoryBytes)));
        await run.stop();

        const coldS = median(cold) / 1000;
        const warmS = median(warm) / 1000;
        const report: BenchReport = {
          suite: 'stack',
          startedAt,
          machine: machine(),
          results: {
            coldStartMs: cold,
            warmStartMs: warm,
            coldMedianS: coldS,
            warmMedianS: warmS,
            idle,
            loaded,
            peakLoadedMb,
            loadRps: Math.round(result.rps),
            idleSamples: idleSamples.length,
            loadSamples: loadSamples.length,
          },
          kpis: [
            {
              name: 'cold start to all-healthy',
              target: '< 30 s',
              measured: `${coldS.toFixed(2)} s`,
              pass: coldS < 30,
            },
            {
              name: 'warm start to all-healthy',
              target: '< 10 s',
              measured: `${warmS.toFixed(2)} s`,
              pass: warmS < 10,
            },
            {
              name: 'memory at idle (stack + appliance)',
              target: '< 1024 MB',
              measured: `${idle.total!.memoryMb} MB`,
              pass: idle.total!.memoryMb < 1024,
            },
            {
              name: 'memory under the data load (peak)',
              target: '< 1024 MB',
              measured: `${peakLoadedMb} MB`,
              pass: peakLoadedMb < 1024,
            },
            {
              name: 'CPU at idle (total, % of one core)',
              target: '< 50 %',
              measured: `${idle.total!.cpuPercent} %`,
              pass: idle.total!.cpuPercent < 50,
            },
          ],
        };
        const rows = Object.keys(idle).map((k) => [
          k,
          idle[k]!.memoryMb,
          idle[k]!.cpuPercent,
          loaded[k]?.memoryMb ?? '—',
          loaded[k]?.cpuPercent ?? '—',
        ]);
        await publishReport(report, [
          `# bench:stack — ${startedAt}`,
          '',
          `${report.machine.cpus} cores (${report.machine.cpuModel}), Node ${report.machine.node}; native driver; ` +
            `binaries cached.`,
          '',
          `cold start (fresh home) to all-healthy: median **${coldS.toFixed(2)} s** ` +
            `(${cold.map((t) => (t / 1000).toFixed(2)).join(', ')})`,
          `warm start to all-healthy: median **${warmS.toFixed(2)} s** ` +
            `(${warm.map((t) => (t / 1000).toFixed(2)).join(', ')})`,
          '',
          `Memory (PSS) and CPU (% of one core), mean over ${idleSamples.length} s idle and over ` +
            `${loadSamples.length} s of data load (${Math.round(result.rps)} req/s):`,
          '',
          markdownTable(['service', 'idle MB', 'idle CPU %', 'loaded MB', 'loaded CPU %'], rows),
          '',
          `peak total under load: ${peakLoadedMb} MB of 1024 MB. For scale: Supabase's local stack asks for 4–7 GB ` +
            `of RAM.`,
        ]);
      }
    }
  } finally {
    for (const home of homes) await fs.rm(home, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  process.stderr.write(`bench:stack failed: ${err.message}\n`);
  process.exit(1);
});
