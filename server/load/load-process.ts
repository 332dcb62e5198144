// The load generator's own process (started by load-runner.ts): runs its streams side by side and reports each
// second of each stream, then the results, as JSON lines on stdout. It never shares an event loop with the gateway.
import { runStream, type StreamSpec } from './open-loop.js';

const specs = JSON.parse(process.argv[2] ?? '[]') as StreamSpec[];
const write = (kind: 'tick' | 'result' | 'error', data: unknown) =>
  process.stdout.write(`${JSON.stringify({ kind, data })}\n`);
try {
  const results = await Promise.all(specs.map((spec) => runStream(spec, (tick) => write('tick', tick))));
  write('result', results);
} catch (err) {
  write('error', (err as Error).message);
  process.exitCode = 1;
}
