// npm run bench:auth — ops/s of the gateway's per-request authorization path (EdDSA token verify + Casbin enforce
// with 1,000 role links), cached and uncached, next to raw jose verify and raw enforce(), on one core, in one run.
// The measurement is the KPI center's (server/kpi/measure-auth.ts).
import { measureAuth, ROLE_LINKS } from '../server/kpi/measure-auth.js';
import { type BenchReport, machine, markdownTable, publishReport } from './report.js';

const TENANTS = Number(process.env.BENCH_TENANTS ?? 10);
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 2000);
const log = (line: string) => process.stdout.write(`[bench:auth] ${line}\n`);

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  log(`${TENANTS} tenants, ${ROLE_LINKS} role links; each case ${TIME_MS} ms on one core (this process)`);
  const m = await measureAuth({ timeMs: TIME_MS, tenantCount: TENANTS });
  const { rows, cachedOpsPerSec: cached, uncachedOpsPerSec: uncached } = m;
  const report: BenchReport = {
    suite: 'auth',
    startedAt,
    machine: machine(),
    results: { roleLinks: m.roleLinks, tenants: m.tenants, distinctTokens: m.distinctTokens, rows },
    kpis: [
      {
        name: 'authorized requests/s, cached path, one core',
        target: '≥ 50,000/s',
        measured: `${cached.toLocaleString('en')}/s`,
        pass: cached >= 50_000,
      },
      {
        name: 'authorized requests/s, uncached path, one core',
        target: '≥ 2,000/s',
        measured: `${uncached.toLocaleString('en')}/s`,
        pass: uncached >= 2_000,
      },
      {
        name: 'auth throughput (POC)',
        target: '> 1,000/s',
        measured: `${uncached.toLocaleString('en')}/s uncached`,
        pass: uncached > 1_000,
      },
    ],
  };
  await publishReport(report, [
    `# bench:auth — ${startedAt}`,
    '',
    `${report.machine.cpus} cores (${report.machine.cpuModel}), Node ${report.machine.node}; one core (single ` +
      `process); EdDSA tokens, ${ROLE_LINKS} role links over ${TENANTS} tenants, ${m.distinctTokens} distinct tokens ` +
      `round-robin.`,
    '',
    markdownTable(
      ['case', 'ops/s', 'mean µs', 'p99 µs'],
      rows.map((r) => [r.name, r.opsPerSec.toLocaleString('en'), r.meanUs, r.p99Us ?? '—']),
    ),
  ]);
}

main().catch((err: Error) => {
  process.stderr.write(`bench:auth failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
