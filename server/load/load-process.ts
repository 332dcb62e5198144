// The load generator's own process (started by load-runner.ts): runs its open-loop streams side by side and reports
// each second of each stream, then the results, as JSON lines on stdout; or one closed loop (autocannon). It never
// shares an event loop with the gateway it measures.
import { type ClosedLoopSpec, load } from './closed-loop.js';
import { runStream, type StreamSpec } from './open-loop.js';

const job = JSON.parse(process.argv[2] ?? '[]') as StreamSpec[] | ClosedLoopSpec;
const write = (kind: 'tick' | 'result' | 'error', data: unknown) =>
  process.stdout.write(`${JSON.stringify({ kind, data })}\n`);
try {
  if (Array.isArray(job))
    write('result', await Promise.all(job.map((spec) => runStream(spec, (tick) => write('tick', tick)))));
  else write('result', await load(job.url, job));
} catch (err) {
  write('error', (err as Error).message);
  process.exitCode = 1;
}
