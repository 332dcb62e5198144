// npm run bench:data — GET /data/products through the gateway vs directly against PostgREST, same token, same
// concurrency, interleaved rounds in one run. Starts its own apprun (own home and ports) in a separate process.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { adminApi } from '../server/api/contract.js';
import { type LoadResult, load } from '../server/load/closed-loop.js';
import { type RunningApprun, startApprun } from '../server/test/apprun-process.js';
import { loginToken, mb } from './apprun-process.js';
import { type BenchReport, machine, markdownTable, median, publishReport } from './report.js';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
// Service time: one connection, so latency shows what each hop costs rather than queueing. (autocannon's
// overallRate fires all connections in bursts, which measures the bursts, so it is not used for latency.)
const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? 25000);

function log(line: string): void {
  process.stdout.write(`[bench:data] ${line}\n`);
}

async function stackMemory(
  state: RunningApprun['state'],
): Promise<{ totalMb: number; perService: Record<string, number> }> {
  const body = await adminApi(state).stack();
  return {
    totalMb: mb(body.total?.memoryBytes ?? 0),
    perService: {
      ...Object.fromEntries(body.services.map((s) => [s.name, mb(s.usage?.memoryBytes ?? 0)])),
      appliance: mb(body.appliance?.memoryBytes ?? 0),
    },
  };
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-bench-'));
  await fs.chmod(home, 0o755);
  log(`starting apprun (home ${home}, ports ${PORT_BASE}+)`);
  const apprun = await startApprun(home, PORT_BASE);
  const { state } = apprun;
  try {
    const headers = { authorization: `Bearer ${await loginToken(state)}` };
    const targets = {
      direct: `http://127.0.0.1:${state.ports.postgrest}/products`,
      gateway: `${state.gatewayUrl}/data/products`,
    };
    log('warming up both paths (3 s each)');
    for (const url of Object.values(targets)) await load(url, { connections: CONNECTIONS, seconds: 3, headers });

    const runs: Record<'direct' | 'gateway', LoadResult[]> = { direct: [], gateway: [] };
    const ratios: number[] = [];
    let loadedMemory: Awaited<ReturnType<typeof stackMemory>> | undefined;
    for (let round = 1; round <= ROUNDS; round++) {
      for (const name of ['direct', 'gateway'] as const) {
        log(`round ${round}/${ROUNDS}: ${name}, ${CONNECTIONS} connections, ${SECONDS} s`);
        const memoryProbe =
          name === 'gateway' && round === ROUNDS
            ? new Promise((r) => setTimeout(r, (SECONDS * 1000) / 2)).then(() => stackMemory(state))
            : undefined;
        const result = await load(targets[name], { connections: CONNECTIONS, seconds: SECONDS, headers });
        if (memoryProbe) loadedMemory = await memoryProbe;
        runs[name].push(result);
        log(
          `  ${Math.round(result.rps)} req/s, p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms, p99 ${result.p99Ms} ` +
            `ms, errors ${result.errors}, non-2xx ${result.non2xx}`,
        );
      }
      ratios.push(runs.gateway.at(-1)!.rps / runs.direct.at(-1)!.rps);
    }

    const fixed: Record<'direct' | 'gateway', LoadResult> = {} as never;
    for (const name of ['direct', 'gateway'] as const) {
      log(`service time: ${name}, 1 connection, ${SECONDS} s`);
      fixed[name] = await load(targets[name], { connections: 1, seconds: SECONDS, headers });
      log(
        `  ${Math.round(fixed[name].rps)} req/s, p50 ${fixed[name].p50Ms} ms, p95 ${fixed[name].p95Ms} ms, p99 ` +
          `${fixed[name].p99Ms} ms`,
      );
    }

    const summary = (rs: LoadResult[]) => ({
      rps: Math.round(median(rs.map((r) => r.rps))),
      p50Ms: median(rs.map((r) => r.p50Ms)),
      p95Ms: median(rs.map((r) => r.p95Ms)),
      p99Ms: median(rs.map((r) => r.p99Ms)),
      errors: rs.reduce((s, r) => s + r.errors + r.non2xx, 0),
    });
    const direct = summary(runs.direct);
    const gw = summary(runs.gateway);
    const ratio = Math.round(median(ratios) * 100) / 100;
    const report: BenchReport = {
      suite: 'data',
      startedAt,
      machine: machine(),
      results: {
        connections: CONNECTIONS,
        seconds: SECONDS,
        rounds: ROUNDS,
        direct,
        gateway: gw,
        ratioMedian: ratio,
        ratiosPerRound: ratios,
        runs,
        serviceTime: fixed,
        memoryUnderLoadMb: loadedMemory,
      },
      kpis: [
        {
          name: 'data API throughput vs direct PostgREST',
          target: '≥ 0.8×',
          measured: `${ratio}×`,
          pass: ratio >= 0.8,
        },
        {
          name: `data API p95 at ${CONNECTIONS} connections, saturated`,
          target: '< 20 ms',
          measured: `${gw.p95Ms} ms (direct PostgREST: ${direct.p95Ms} ms)`,
          pass: gw.p95Ms < 20,
        },
        {
          name: 'data API p95 service time (1 connection)',
          target: '< 20 ms',
          measured: `${fixed.gateway.p95Ms} ms (direct PostgREST: ${fixed.direct.p95Ms} ms)`,
          pass: fixed.gateway.p95Ms < 20,
        },
        { name: 'data API throughput (POC)', target: '> 500 req/s', measured: `${gw.rps} req/s`, pass: gw.rps > 500 },
        { name: 'data API p95 (POC)', target: '< 200 ms', measured: `${gw.p95Ms} ms`, pass: gw.p95Ms < 200 },
        ...(loadedMemory
          ? [
              {
                name: 'stack + appliance memory under load',
                target: '< 1024 MB',
                measured: `${loadedMemory.totalMb} MB`,
                pass: loadedMemory.totalMb < 1024,
              },
            ]
          : []),
      ],
    };
    await publishReport(report, [
      `# bench:data — ${startedAt}`,
      '',
      `${report.machine.cpus} cores (${report.machine.cpuModel}), Node ${report.machine.node}; GET /data/products, ` +
        `${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${SECONDS} s; medians.`,
      '',
      markdownTable(
        ['path', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors'],
        [
          ['PostgREST direct', direct.rps, direct.p50Ms, direct.p95Ms, direct.p99Ms, direct.errors],
          ['through the gateway', gw.rps, gw.p50Ms, gw.p95Ms, gw.p99Ms, gw.errors],
        ],
      ),
      '',
      `gateway / direct throughput: **${ratio}×** (per round: ${ratios.map((r) => r.toFixed(2)).join(', ')})`,
      '',
      'Service time (1 connection, no queueing):',
      '',
      markdownTable(
        ['path', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms'],
        [
          [
            'PostgREST direct',
            Math.round(fixed.direct.rps),
            fixed.direct.p50Ms,
            fixed.direct.p95Ms,
            fixed.direct.p99Ms,
          ],
          [
            'through the gateway',
            Math.round(fixed.gateway.rps),
            fixed.gateway.p50Ms,
            fixed.gateway.p95Ms,
            fixed.gateway.p99Ms,
          ],
        ],
      ),
      loadedMemory
        ? `\nmemory under load: ${loadedMemory.totalMb} MB total (${Object.entries(loadedMemory.perService)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')})`
        : '',
    ]);
  } finally {
    await apprun.stop();
    await fs.rm(home, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  process.stderr.write(`bench:data failed: ${err.message}\n`);
  process.exit(1);
});
