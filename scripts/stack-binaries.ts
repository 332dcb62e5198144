// npm run stack:binaries — provisions Temporal, MinIO and Kratos into the binary cache (or finds them), with progress.
import { type ProvisionedBinary, provisionBinary, RECIPES } from '../stack/binaries.js';
import { resolveCacheDir } from '../stack/home.js';

const cacheDir = resolveCacheDir();
process.stdout.write(`binary cache: ${cacheDir}\n`);
let failed = false;
for (const name of Object.keys(RECIPES) as ProvisionedBinary[]) {
  const t0 = performance.now();
  try {
    const file = await provisionBinary(name, cacheDir, (e) => {
      const share = e.fraction !== undefined && e.fraction < 1 ? ` (${Math.round(e.fraction * 100)}%)` : '';
      process.stdout.write(`  [${name}] ${e.step}${share}\n`);
    });
    process.stdout.write(
      `${name.padEnd(9)} ${RECIPES[name].version.padEnd(36)} ${file} ` +
        `(${((performance.now() - t0) / 1000).toFixed(1)} s)\n`,
    );
  } catch (err) {
    failed = true;
    process.stderr.write(`${name}: ${(err as Error).message}\n`);
  }
}
process.exit(failed ? 1 : 0);
