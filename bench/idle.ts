// npm run bench:idle — the idle-sleep rows of bench:stack alone (a quicker before/after for a change to sleeping or
// waking): memory and CPU awake and asleep, and the first request after a sleep per service.
import { idleSleepKpis, measureIdleSleep } from './idle-sleep.js';
import { type BenchReport, machine, markdownTable, publishReport } from './report.js';

const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? 25700);
const CYCLES = Number(process.env.BENCH_IDLE_CYCLES ?? 7);
const log = (line: string) => process.stdout.write(`[bench:idle] ${line}\n`);

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const idle = await measureIdleSleep(PORT_BASE, CYCLES, log);
  const wakeRows = (['kratos', 'minio', 'temporal'] as const).map((name) => [
    `first ${name} request after a sleep`,
    'p50 ≤ 500 ms, p99 ≤ 1.5 s',
    `p50 ${idle.wake[name].p50} ms, worst ${idle.wake[name].max} ms (${idle.wake[name].ms.join(', ')})`,
  ]);
  const kpis = idleSleepKpis(idle);
  const report: BenchReport = { suite: 'idle', startedAt, machine: machine(), results: { idleSleep: idle }, kpis };
  await publishReport(report, [
    `# bench:idle — ${startedAt}`,
    '',
    `${report.machine.cpus} cores (${report.machine.cpuModel}), Node ${report.machine.node}; native driver, ` +
      `APPRUN_IDLE_SLEEP_S=2, ${idle.cycles} sleep/wake cycles per service timed at the client (the worst stands ` +
      'for p99 with this few). Memory: the sampler (PSS, stack + appliance); CPU: the whole process tree from /proc.',
    '',
    markdownTable(
      ['', 'target', 'measured'],
      [
        ['every service awake: memory / CPU', '—', `${idle.awake.memoryMb} MB / ${idle.awake.cpuPercent} %`],
        [
          'Kratos, MinIO, Temporal asleep: memory (of it the appliance) / CPU',
          '≤ 250 MB / ≤ 0.5 %',
          `${idle.asleep.memoryMb} MB (${idle.asleep.applianceMb} MB) / ${idle.asleep.cpuPercent} %`,
        ],
        ...wakeRows,
      ],
    ),
  ]);
}

main().catch((err: Error) => {
  process.stderr.write(`bench:idle failed: ${err.message}\n`);
  process.exit(1);
});
