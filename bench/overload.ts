// npm run bench:overload — one tenant floods GET /data/products at 1×, 2× and 4× the measured capacity (open loop,
// from a separate process) while another tenant reads at 20 req/s and /healthz is probed twice a second; per
// multiple: the flood's goodput and refusals, the quiet tenant's latency, /healthz, and the core's memory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kpiPeople } from '../server/kpi/feature.js';
import { count, measureOverload, type OverloadRound } from '../server/kpi/suites/overload.js';
import { FIXTURE_READ, type KpiPeople, type SuiteContext } from '../server/kpi/suites/suite.js';
import { runLoad, type StreamResult } from '../server/load/load-runner.js';
import { nginxBinary, startNginx } from '../server/load/nginx.js';
import { builtInProject } from '../server/project/project.js';
import { startApprun } from '../server/test/apprun-process.js';
import { loginToken } from './apprun-process.js';
import { type BenchReport, machine, markdownTable, publishReport } from './report.js';

/** The built-in demo's dev users, as the KPI center would act as them. */
const DEMO_PEOPLE = kpiPeople(builtInProject()) as KpiPeople;
const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? 25300);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const MULTIPLES = (process.env.BENCH_MULTIPLES ?? '1,2,4').split(',').map(Number);
const QUIET_RATE = 20;
const HEALTHZ_RATE = 2;
const RSS_BACK_WITHIN_MB = 50;
const log = (line: string) => process.stdout.write(`[bench:overload] ${line}\n`);

const rssMb = (pid: number) =>
  Math.round(Number(/^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024);

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'apprun-bench-overload-'));
  fs.chmodSync(home, 0o755);
  const run = await startApprun(home, PORT_BASE);
  try {
    const gateway = run.state.gatewayUrl;
    const tokens = new Map<string, string>();
    // The KPI center's overload suite, measured from outside the core (its tokens, its RSS from /proc).
    const ctx = {
      gatewayUrl: gateway,
      async token(email: string) {
        if (!tokens.has(email)) tokens.set(email, await loginToken(run.state, email));
        return tokens.get(email)!;
      },
      coreRssBytes: () => rssMb(run.state.pid) * 2 ** 20,
      people: () => DEMO_PEOPLE,
      progress: (step: string) => log(step),
      sample: () => undefined,
      signal: new AbortController().signal,
    } as unknown as SuiteContext;
    const measured = await measureOverload(ctx, { seconds: SECONDS, multiples: MULTIPLES });
    const { capacity, unloaded, recovery } = measured;
    const rounds = measured.rounds;
    const baselineMb = recovery.baselineMb;
    log(`capacity (closed loop, 32 connections): ${capacity} req/s; the quiet tenant alone: p95 ${unloaded.p95Ms} ms`);
    for (const r of rounds)
      log(
        `${r.multiple}× (${r.offered} req/s): flood goodput ${r.flood.goodputPerSecond}/s, 429 ${count(r.flood, (s) => s === 429)}, ` +
          `503 ${count(r.flood, (s) => s === 503)}, unanswered ${r.flood.timeouts + r.flood.errors} of ${r.flood.sent}; ` +
          `quiet p50/p95/p99 ${r.quiet.p50Ms}/${r.quiet.p95Ms}/${r.quiet.p99Ms} ms; /healthz max ${r.healthz.maxMs} ms; RSS ${r.rssBeforeMb} → ${r.rssAfterMb} MB`,
      );
    log(`core RSS ${recovery.lowestMb} MB ${recovery.afterSeconds} s after the last flood (baseline ${baselineMb} MB)`);
    // The same fixture table as the gateway's rounds (the KPI suites' own, a second PostgREST profile).
    const auth = (token: string) => ({ authorization: `Bearer ${token}`, ...FIXTURE_READ });
    const [flooder, quiet] = [await ctx.token('alice@test.com'), await ctx.token('charlie@test.com')];
    // The reference: nginx in front of the same PostgREST, under the same 2× flood, as it is and with limit_req per
    // token (its per-consumer limit, at half the capacity): what the machine gives without the gateway's work.
    const references: { name: string; flood: StreamResult; quiet: StreamResult }[] = [];
    if (nginxBinary()) {
      for (const limit of [undefined, Math.round(capacity / 2)]) {
        const nginx = await startNginx(PORT_BASE + 20, run.state.ports.postgrest, { limitPerTokenRps: limit });
        try {
          const via = `${nginx.url}/data/products?select=name,price`;
          const [flood, quietRun] = await runLoad([
            { name: 'flood', url: via, rate: capacity * 2, seconds: SECONDS, headers: auth(flooder), connections: 512 },
            { name: 'quiet', url: via, rate: QUIET_RATE, seconds: SECONDS, headers: auth(quiet) },
          ]);
          const name = limit ? `nginx, limit_req ${limit}/s per token` : 'nginx, no limit';
          references.push({ name, flood: flood!, quiet: quietRun! });
          log(
            `${name} at 2×: flood goodput ${flood!.goodputPerSecond}/s, unanswered ${flood!.timeouts + flood!.errors}; quiet p50/p95/p99 ${quietRun!.p50Ms}/${quietRun!.p95Ms}/${quietRun!.p99Ms} ms`,
          );
        } finally {
          await nginx.stop();
        }
        await new Promise((r) => setTimeout(r, 5000));
      }
    } else log('nginx is not installed: no reference rows');
    const worst = (pick: (r: OverloadRound) => number) => Math.max(...rounds.map(pick));
    const twice = rounds.find((r) => r.multiple === 2) ?? rounds[rounds.length - 1]!;
    const report: BenchReport = {
      suite: 'overload',
      startedAt,
      machine: machine(),
      results: { ...measured, references },
      kpis: [
        {
          name: 'no request of any tenant waits 10 s (2× flood)',
          target: '0 unanswered',
          measured: `${twice.flood.timeouts + twice.quiet.timeouts + twice.healthz.timeouts} unanswered`,
          pass: twice.flood.timeouts + twice.quiet.timeouts + twice.healthz.timeouts === 0,
        },
        {
          name: "the quiet tenant's p95 during a 2× flood",
          target: `within a few times its unloaded p95 (${unloaded.p95Ms} ms): < ${Math.round(Math.max(50, unloaded.p95Ms * 5))} ms`,
          measured: `${twice.quiet.p95Ms} ms`,
          pass: twice.quiet.p95Ms < Math.max(50, unloaded.p95Ms * 5),
        },
        {
          name: '/healthz during every flood',
          target: 'never misses, max < 1 s',
          measured: `max ${worst((r) => r.healthz.maxMs)} ms, ${rounds.reduce((n, r) => n + r.healthz.sent - r.healthz.ok.count, 0)} missed`,
          pass: worst((r) => r.healthz.maxMs) < 1000 && rounds.every((r) => r.healthz.ok.count === r.healthz.sent),
        },
        {
          name: "the core's memory after the floods",
          target: `back within ${RSS_BACK_WITHIN_MB} MB of where it started, within a minute of the last flood`,
          measured: `${baselineMb} → ${recovery.lowestMb} MB (${recovery.afterSeconds} s after the last flood)`,
          pass: recovery.lowestMb - baselineMb < RSS_BACK_WITHIN_MB,
        },
      ],
    };
    await publishReport(report, [
      `# bench:overload — ${startedAt}`,
      '',
      `${report.machine.cpus} cores (${report.machine.cpuModel}), Node ${report.machine.node}. Capacity of GET /data/products ` +
        `(closed loop, 32 connections): ${capacity} req/s. Each round: ${SECONDS} s open loop from a separate process; ` +
        `tenant 1 (Free) floods at the multiple, tenant 2 (Pro) reads at ${QUIET_RATE} req/s, /healthz at ${HEALTHZ_RATE}/s. ` +
        `Latency counts from when each request was due (coordinated omission corrected); unanswered = no answer in 10 s.`,
      '',
      markdownTable(
        [
          'offered',
          'flood goodput',
          '429',
          '503',
          'other 5xx',
          'unanswered',
          'flood p99',
          'quiet p50 / p95 / p99',
          'quiet ok',
          '/healthz max',
          'core RSS before → after',
        ],
        rounds.map((r) => [
          `${r.multiple}× (${r.offered}/s)`,
          `${r.flood.goodputPerSecond}/s`,
          count(r.flood, (s) => s === 429),
          count(r.flood, (s) => s === 503),
          count(r.flood, (s) => s >= 500 && s !== 503) + count(r.quiet, (s) => s >= 500),
          `${r.flood.timeouts + r.flood.errors} of ${r.flood.sent}`,
          `${r.flood.p99Ms} ms`,
          `${r.quiet.p50Ms} / ${r.quiet.p95Ms} / ${r.quiet.p99Ms} ms`,
          `${r.quiet.ok.count}/${r.quiet.sent}`,
          `${r.healthz.maxMs} ms (${r.healthz.ok.count}/${r.healthz.sent})`,
          `${r.rssBeforeMb} → ${r.rssAfterMb} MB`,
        ]),
      ),
      '',
      `Unloaded, the quiet tenant's reads: p50 ${unloaded.p50Ms} ms, p95 ${unloaded.p95Ms} ms, p99 ${unloaded.p99Ms} ms.`,
      '',
      'Reference, the same 2× flood through nginx in front of the same PostgREST (one worker, upstream keepalive):',
      '',
      markdownTable(
        ['path', 'flood goodput', '429', 'unanswered', 'quiet p50 / p95 / p99'],
        references.map((r) => [
          r.name,
          `${r.flood.goodputPerSecond}/s`,
          count(r.flood, (s) => s === 429),
          `${r.flood.timeouts + r.flood.errors} of ${r.flood.sent}`,
          `${r.quiet.p50Ms} / ${r.quiet.p95Ms} / ${r.quiet.p99Ms} ms`,
        ]),
      ),
    ]);
  } finally {
    await run.stop();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  process.stderr.write(`bench:overload failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
