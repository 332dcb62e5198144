// The auth suite's own process: a microbenchmark must own its thread, and must not stall the gateway it belongs to.
import { measureAuth } from './measure-auth.js';

try {
  const options = JSON.parse(process.argv[2] ?? '{}') as { timeMs?: number };
  process.stdout.write(`${JSON.stringify(await measureAuth(options))}\n`);
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exitCode = 1;
}
