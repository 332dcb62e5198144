// Prints the ten slowest test files of the last run (vitest and Playwright together), so creeping durations show in
// CI before a timeout turns them into failures. Reads what the suites' reporters wrote to test-results/durations/.
import fs from 'node:fs';
import path from 'node:path';

const dir = path.resolve(import.meta.dirname, '..', 'test-results', 'durations');
const files = [];
for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
  if (!name.endsWith('.json')) continue;
  const { suite, files: entries } = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
  for (const f of entries) files.push({ ...f, suite });
}
if (!files.length) {
  process.stdout.write('slowest test files: no durations recorded (did the suites run?)\n');
  process.exit(0);
}
files.sort((a, b) => b.ms - a.ms);
const total = files.reduce((sum, f) => sum + f.ms, 0);
const width = Math.max(...files.slice(0, 10).map((f) => f.file.length));
const lines = files
  .slice(0, 10)
  .map((f) => `  ${(f.ms / 1000).toFixed(1).padStart(6)} s  ${f.suite.padEnd(6)}  ${f.file.padEnd(width)}  ${f.state}`);
process.stdout.write(
  `slowest test files (of ${files.length}, ${(total / 1000).toFixed(0)} s in all):\n${lines.join('\n')}\n`,
);
