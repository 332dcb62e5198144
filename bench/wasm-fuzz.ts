// npm run bench:wasm-fuzz — the longer fuzz run behind the bounded one in npm test: random valid modules and
// byte-mutated examples through the same path a deploy and an invocation take (preparation on its thread, then the
// function pool), counting outcomes. Any outcome but a clean refusal, a result or a clean failure is a finding.
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_POOL, FunctionPool } from '../server/functions/function-pool.js';
import { ModuleRejected } from '../server/functions/memory-cap.js';
import { PreparationThread } from '../server/functions/preparation-thread.js';
import { FunctionFailure } from '../server/functions/sandbox.js';
import { mutate, randomModule } from '../server/functions/test-support/random-module.js';
import { packageRoot } from '../stack/package-root.js';
import { type BenchReport, machine, markdownTable, publishReport } from './report.js';

const MODULES = Number(process.env.BENCH_FUZZ_MODULES ?? 400);
const SEED = Number(process.env.BENCH_FUZZ_SEED ?? 1);
const EXAMPLES = ['hello', 'whoami', 'price-with-tax', 'http-status'].map(
  (n) => new Uint8Array(fs.readFileSync(path.join(packageRoot(), 'wasm', 'build', `${n}.wasm`))),
);
const log = (line: string) => process.stdout.write(`[bench:wasm-fuzz] ${line}\n`);

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const preparer = new PreparationThread();
  const pool = new FunctionPool();
  const outcomes: Record<string, Record<string, number>> = { random: {}, mutated: {} };
  const findings: string[] = [];
  const rssStart = process.memoryUsage().rss;
  const t0 = performance.now();
  for (let i = 0; i < MODULES; i++) {
    const kind = i % 2 ? 'mutated' : 'random';
    const seed = SEED * 1_000_003 + i;
    const bytes = kind === 'random' ? randomModule(seed) : mutate(EXAMPLES[i % EXAMPLES.length]!, seed);
    let outcome: string;
    try {
      const prepared = (await preparer.prepare(bytes, 256, true)).bytes;
      const { output } = await pool.invoke({
        tenant: 'fuzz',
        key: `fuzz/${i}`,
        module: () => prepared,
        limits: { timeoutMs: 200, maxMemoryPages: 256, maxInputBytes: 1 << 20, maxOutputBytes: 1 << 20 },
        tenantConcurrency: 8,
        allowedHosts: [],
        input: new TextEncoder().encode('{"url":"http://127.0.0.1:1/"}'),
        context: new TextEncoder().encode('{}'),
      });
      outcome = output.byteLength > 0 ? 'ran' : 'ran, no output';
      pool.unload(`fuzz/${i}`);
    } catch (err) {
      if (err instanceof ModuleRejected) outcome = 'refused at deploy';
      else if (err instanceof FunctionFailure) outcome = err.failure;
      else {
        outcome = 'UNEXPECTED';
        findings.push(`${kind} seed ${seed}: ${(err as Error).stack ?? err}`);
      }
    }
    outcomes[kind]![outcome] = (outcomes[kind]![outcome] ?? 0) + 1;
    if ((i + 1) % 50 === 0)
      log(
        `${i + 1}/${MODULES} modules, ${Math.round((performance.now() - t0) / 1000)} s, RSS ` +
          `${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`,
      );
  }
  const seconds = (performance.now() - t0) / 1000;
  const rssGrowthMb = Math.round((process.memoryUsage().rss - rssStart) / 2 ** 20);
  await Promise.all([preparer.stop(), pool.stop()]);
  const kinds = [...new Set([...Object.keys(outcomes.random!), ...Object.keys(outcomes.mutated!)])].sort();
  const report: BenchReport = {
    suite: 'wasm-fuzz',
    startedAt,
    machine: machine(),
    results: {
      modules: MODULES,
      seed: SEED,
      seconds: Math.round(seconds),
      rssGrowthMb,
      outcomes,
      findings,
      poolWorkers: DEFAULT_POOL.workers,
    },
    kpis: [
      {
        name: 'fuzzed modules with an unclean outcome',
        target: '0',
        measured: String(findings.length),
        pass: findings.length === 0,
      },
    ],
  };
  await publishReport(report, [
    `# bench:wasm-fuzz — ${startedAt}`,
    '',
    `${MODULES} modules (seed ${SEED}): half random valid modules speaking the ABI, half byte mutations of the ` +
      `examples; each prepared on the preparation thread and invoked once on the pool (200 ms deadline). ` +
      `${Math.round(seconds)} s; the process grew ${rssGrowthMb} MiB.`,
    '',
    markdownTable(
      ['outcome', 'random', 'mutated'],
      kinds.map((k) => [k, outcomes.random![k] ?? 0, outcomes.mutated![k] ?? 0]),
    ),
    ...(findings.length ? ['', 'Findings:', ...findings.map((f) => `- ${f.split('\n')[0]}`)] : []),
  ]);
  if (findings.length) process.exitCode = 1;
}

main().catch((err: Error) => {
  process.stderr.write(`bench:wasm-fuzz failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
