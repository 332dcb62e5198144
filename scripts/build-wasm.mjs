// npm run build:wasm — compiles the AssemblyScript functions (wasm/examples, wasm/fixtures) into wasm/build/*.wasm.
import fs from 'node:fs';
import path from 'node:path';
import asc from 'assemblyscript/asc';

const sources = ['examples', 'fixtures'].flatMap((dir) =>
  fs
    .readdirSync(path.join('wasm', dir))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join('wasm', dir, f)),
);
fs.mkdirSync('wasm/build', { recursive: true });
const t0 = performance.now();
for (const source of sources) {
  const out = path.join('wasm', 'build', `${path.basename(source, '.ts')}.wasm`);
  const { error, stderr } = await asc.main(
    [source, '--outFile', out, '--runtime', 'incremental', '--optimizeLevel', '3', '--shrinkLevel', '0', '--noAssert'],
    {},
  );
  if (error) {
    process.stderr.write(`build:wasm: ${source} failed:\n${stderr.toString()}\n`);
    process.exit(1);
  }
}
process.stdout.write(
  `build:wasm: ${sources.length} functions → wasm/build/ (${Math.round(performance.now() - t0)} ms)\n`,
);
