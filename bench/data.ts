// npm run bench:data — the KPI center's data suite (server/kpi/suites/data.ts) on an apprun of its own: GET
// /data/products at a fixed 500 req/s (open loop) through the gateway and through nginx in front of the same PostgREST,
// and throughput (closed loop, 32 connections) against PostgREST directly, interleaved rounds, medians.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { kpiPeople } from '../server/kpi/feature.js';
import { KPIS } from '../server/kpi/registry.js';
import { dataSuite } from '../server/kpi/suites/data.js';
import { FIXTURE_READ, type KpiPeople, type Profile, type SuiteContext } from '../server/kpi/suites/suite.js';
import { freePort } from '../server/load/free-port.js';
import { runClosedLoop, runLoad } from '../server/load/load-runner.js';
import { builtInProject } from '../server/project/project.js';
import { startApprun } from '../server/test/apprun-process.js';
import { loginToken } from './apprun-process.js';
import { type BenchReport, machine, markdownTable, median, publishReport } from './report.js';

/** The built-in demo's dev users, as the KPI center would act as them. */
const DEMO_PEOPLE = kpiPeople(builtInProject()) as KpiPeople;
const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? 25000);
const PROFILE = (process.env.BENCH_PROFILE ?? 'full') as Profile;
const RATES = (process.env.BENCH_RATES ?? '250,500,1000').split(',').map(Number);
const SWEEP_SECONDS = Number(process.env.BENCH_SWEEP_SECONDS ?? 10);
const FLOOR_SECONDS = Number(process.env.BENCH_FLOOR_SECONDS ?? 10);
const FLOOR_ROUNDS = 3;
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
    // The Node floor: a bare node:http + undici proxy (bench/bare-node-proxy.mjs) beside the gateway and PostgREST
    // directly, closed loop, interleaved round by round.
    const barePort = await freePort();
    const bare = spawn(
      process.execPath,
      [
        path.join(import.meta.dirname, 'bare-node-proxy.mjs'),
        String(barePort),
        `http://127.0.0.1:${state.ports.postgrest}`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const floor: Record<'direct' | 'bare' | 'gateway', number[]> = { direct: [], bare: [], gateway: [] };
    try {
      await Promise.race([
        once(bare.stdout!, 'data'),
        once(bare, 'exit').then(([code]) => Promise.reject(new Error(`the bare proxy exited (${code})`))),
      ]);
      const floorPaths = {
        direct: `http://127.0.0.1:${state.ports.postgrest}/products?select=name,price`,
        bare: `http://127.0.0.1:${barePort}/data/products?select=name,price`,
        gateway: `${state.gatewayUrl}/data/products?select=name,price`,
      };
      for (let round = 1; round <= FLOOR_ROUNDS; round++) {
        for (const name of ['direct', 'bare', 'gateway'] as const) {
          log(`hop floor round ${round}/${FLOOR_ROUNDS}: ${name}, 32 connections, ${FLOOR_SECONDS} s`);
          const r = await runClosedLoop(floorPaths[name], { connections: 32, seconds: FLOOR_SECONDS, headers });
          if (r.errors || r.non2xx) throw new Error(`${name}: ${r.errors} errors and ${r.non2xx} non-2xx answers`);
          floor[name].push(r.rps);
        }
      }
    } finally {
      bare.kill();
    }
    const floorRatio = (name: 'bare' | 'gateway') =>
      Math.round(median(floor[name].map((rps, i) => rps / floor.direct[i]!)) * 100) / 100;
    values.floorBareRatio = floorRatio('bare');
    values.floorGatewayRatio = floorRatio('gateway');
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
      `The Node floor (closed loop, 32 connections, ${FLOOR_ROUNDS} interleaved rounds of ${FLOOR_SECONDS} s; ratios ` +
        'to PostgREST directly, round by round, median):',
      '',
      markdownTable(
        ['path', 'req/s (median)', 'ratio to direct'],
        [
          ['PostgREST directly', Math.round(median(floor.direct)), '1.00×'],
          ['bare node:http + undici proxy', Math.round(median(floor.bare)), `${values.floorBareRatio}×`],
          ['through the gateway', Math.round(median(floor.gateway)), `${values.floorGatewayRatio}×`],
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
