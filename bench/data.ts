// npm run bench:data — the KPI center's data suite (server/kpi/suites/data.ts) on an apprun of its own: GET
// /data/products at a fixed 500 req/s (open loop) through the gateway and through nginx in front of the same PostgREST,
// and throughput (closed loop, 32 connections) against PostgREST directly, interleaved rounds, medians.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { adminApi } from '../server/api/contract.js';
import { kpiPeople } from '../server/kpi/feature.js';
import { KPIS } from '../server/kpi/registry.js';
import { dataSuite } from '../server/kpi/suites/data.js';
import { FIXTURE_READ, type KpiPeople, type Profile, type SuiteContext } from '../server/kpi/suites/suite.js';
import { freePort } from '../server/load/free-port.js';
import { runLoad } from '../server/load/load-runner.js';
import { builtInProject } from '../server/project/project.js';
import { startApprun } from '../server/test/apprun-process.js';
import { loginToken } from './apprun-process.js';
import { HOP_LABELS, HOPS, type Hop, measureHopFloor, pairedRatio } from './hop-floor.js';
import { type BenchReport, machine, markdownTable, median, publishReport } from './report.js';
import { spanMedians, tracerCostMicros } from './trace-cost.js';
import { ringMemory } from './trace-memory.js';

/** The built-in demo's dev users, as the KPI center would act as them. */
const DEMO_PEOPLE = kpiPeople(builtInProject()) as KpiPeople;
const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? 25000);
const PROFILE = (process.env.BENCH_PROFILE ?? 'full') as Profile;
const RATES = (process.env.BENCH_RATES ?? '250,500,1000').split(',').map(Number);
const SWEEP_SECONDS = Number(process.env.BENCH_SWEEP_SECONDS ?? 10);
const FLOOR_SECONDS = Number(process.env.BENCH_FLOOR_SECONDS ?? 10);
const FLOOR_ROUNDS = Number(process.env.BENCH_FLOOR_ROUNDS ?? 3);
const FIXED_RATE = Number(process.env.BENCH_FIXED_RATE ?? 1000);
const log = (line: string) => process.stdout.write(`[bench:data] ${line}\n`);

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-bench-'));
  await fs.chmod(home, 0o755);
  log(`starting apprun (home ${home}, ports ${PORT_BASE}+); the ${PROFILE} profile of the data suite`);
  const apprun = await startApprun(home, PORT_BASE);
  try {
    const { state } = apprun;
    const ctx = {
      profile: PROFILE,
      gatewayUrl: state.gatewayUrl,
      postgrestUrl: `http://127.0.0.1:${state.ports.postgrest}`,
      postgrestPort: state.ports.postgrest,
      freePort,
      token: (email: string) => loginToken(state, email),
      people: () => DEMO_PEOPLE,
      progress: (step: string) => log(step),
      sample: () => undefined,
      signal: new AbortController().signal,
    } as unknown as SuiteContext;
    const { values } = await dataSuite.run(ctx);
    // Latency against the offered rate: the gateway and PostgREST directly at each rate, open loop (the same
    // generator as the suite: latency from when each request was due), interleaved.
    const sweep: (string | number)[][] = [];
    // The same fixture table the suite reads (the KPI suites' own, a second PostgREST profile).
    const headers = { authorization: `Bearer ${await loginToken(state, 'alice@test.com')}`, ...FIXTURE_READ };
    for (const rate of RATES) {
      const row: (string | number)[] = [`${rate} req/s`];
      for (const [name, url] of [
        ['direct', `http://127.0.0.1:${state.ports.postgrest}/products?select=name,price`],
        ['gateway', `${state.gatewayUrl}/data/products?select=name,price`],
      ] as const) {
        log(`rate sweep: ${name} at ${rate} req/s for ${SWEEP_SECONDS} s`);
        const [r] = await runLoad([{ name, url, rate, seconds: SWEEP_SECONDS, headers }], () => undefined);
        row.push(`${r!.p95Ms} / ${r!.p99Ms} ms (${Math.round((r!.ok.count / r!.sent) * 1000) / 10} % 2xx)`);
        values[`${name}At${rate}P99Ms`] = r!.p99Ms;
      }
      sweep.push(row);
    }
    // The hop against its references, interleaved rounds: tracing off and on, the bare Node proxy, nginx.
    const floor = await measureHopFloor(state, headers, {
      rounds: FLOOR_ROUNDS,
      seconds: FLOOR_SECONDS,
      fixedRate: FIXED_RATE,
      log,
    });
    const rps = (hop: Hop) => Math.round(median(floor.rps[hop]));
    const ms = (hop: Hop, p: 'p50' | 'p99') => Math.round(median(floor.fixed[hop][p]) * 100) / 100;
    values.floorBareRatio = pairedRatio(floor.rps.bare, floor.rps.direct);
    values.floorGatewayRatio = pairedRatio(floor.rps.gatewayOn, floor.rps.direct);
    values.tracingThroughputRatio = pairedRatio(floor.rps.gatewayOn, floor.rps.gatewayOff);
    values.tracingGatewayToBareRatio = pairedRatio(floor.rps.gatewayOn, floor.rps.bare);
    values.tracingP50DeltaMs = Math.round((ms('gatewayOn', 'p50') - ms('gatewayOff', 'p50')) * 1000) / 1000;
    values.tracingP99ToBareRatio = Math.round((ms('gatewayOn', 'p99') / ms('bare', 'p99')) * 100) / 100;
    values.postgrestTimingRatio = pairedRatio(floor.rps.direct, floor.rps.directNoTiming);
    const sample = (await adminApi(state).traces({ path: '/data/products', status: '200', limit: 1 })).traces[0];
    const memory = sample ? ringMemory(await adminApi(state).trace(sample.traceId)) : undefined;
    if (memory) {
      values.traceRingBytes = memory.bytes;
      values.traceBytesEach = memory.bytesPerTrace;
    }
    // Per request, µs: each hop as the gateway timed it in the last round's real requests, and the tracer's own work.
    const steps = await spanMedians(adminApi(state));
    const own = tracerCostMicros();
    values.tracerOwnMicros = own.cost;
    const kpis = KPIS.filter((k) => k.suite === 'data').map((k) => {
      const verdict = k.judge(values)!;
      return { name: k.name, target: k.target, measured: verdict.measured, pass: verdict.pass };
    });
    const reference = values.referenceIsNginx
      ? 'nginx in front of PostgREST'
      : 'PostgREST directly (nginx not installed)';
    const report: BenchReport = { suite: 'data', startedAt, machine: machine(), results: values, kpis };
    await publishReport(report, [
      `# bench:data — ${startedAt}`,
      '',
      `${report.machine.cpus} cores (${report.machine.cpuModel}), Node ${report.machine.node}; GET /data/products; ` +
        `the data suite's ${PROFILE} profile, medians of interleaved rounds.`,
      '',
      markdownTable(
        ['path', '500 req/s open loop p95', 'p99', 'closed loop (32 connections) req/s'],
        [
          ['through the gateway', `${values.gatewayP95Ms} ms`, `${values.gatewayP99Ms} ms`, values.gatewayRps!],
          [reference, `${values.referenceP95Ms} ms`, `${values.referenceP99Ms} ms`, '—'],
          ['PostgREST directly', '—', '—', values.directRps!],
        ],
      ),
      '',
      `gateway / direct throughput: **${Math.round((values.gatewayRps! / values.directRps!) * 100) / 100}×**`,
      '',
      `Latency against the offered rate (open loop, ${SWEEP_SECONDS} s each, p95 / p99):`,
      '',
      markdownTable(['offered', 'PostgREST directly', 'through the gateway'], sweep),
      '',
      `The hop against its references (${FLOOR_ROUNDS} interleaved rounds of ${FLOOR_SECONDS} s each; closed loop with ` +
        `32 connections, then ${FIXED_RATE} req/s open loop; medians; ratios are medians of per-round ratios):`,
      '',
      markdownTable(
        [
          'path',
          'req/s (32 connections)',
          'ratio to PostgREST',
          `p50 at ${FIXED_RATE} req/s`,
          `p99 at ${FIXED_RATE} req/s`,
        ],
        HOPS.map((hop) => [
          HOP_LABELS[hop],
          rps(hop),
          `${pairedRatio(floor.rps[hop], floor.rps.direct)}×`,
          `${ms(hop, 'p50')} ms`,
          `${ms(hop, 'p99')} ms`,
        ]),
      ),
      '',
      `Per request, µs: the median duration of each span over the last ${FIXED_RATE} req/s round's reads (the hops' ` +
        `own work; PostgREST's phases come from its Server-Timing), and the tracer's own work per request (a loop ` +
        `of traced against untraced request/response pairs: ${own.traced} against ${own.untraced} µs).`,
      '',
      markdownTable(
        ['step', 'µs (median)'],
        [...Object.entries(steps).map(([name, us]) => [name, us]), ["the tracer's own work", own.cost]],
      ),
      '',
      markdownTable(
        ['tracing', 'target', 'measured'],
        [
          ['throughput, tracing on / off', '≥ 0.97×', `${values.tracingThroughputRatio}×`],
          ['p50 at the fixed rate, on − off', '≤ +0.2 ms', `${values.tracingP50DeltaMs} ms`],
          ['throughput, gateway (tracing on) / bare proxy', '≥ 0.93×', `${values.tracingGatewayToBareRatio}×`],
          ['p99 at the fixed rate, gateway (tracing on) / bare proxy', '≤ 1.5×', `${values.tracingP99ToBareRatio}×`],
          ["PostgREST's own Server-Timing: throughput on / off", '—', `${values.postgrestTimingRatio}×`],
          [
            'the trace ring, full',
            '—',
            memory
              ? `${(memory.bytes / 2 ** 20).toFixed(1)} MB for ${memory.traces} traces (${memory.bytesPerTrace} B each)`
              : '—',
          ],
        ],
      ),
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
