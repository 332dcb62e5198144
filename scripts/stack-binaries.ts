// npm run stack:binaries — provisions every service binary no npm package ships (Temporal, MinIO, Kratos) and the
// tools the exports are checked with (docker compose, helm) into the binary cache (or finds them), then the database
// cluster template every fresh home copies, with progress.
import { type BinaryRecipe, provisionBinary } from '../stack/binaries.js';
import { clusterTemplate } from '../stack/cluster-template.js';
import { resolveCacheDir } from '../stack/home.js';
import { SERVICES } from '../stack/services/index.js';
import { provisionTool, TOOLS, type ToolName } from '../stack/tools.js';

const cacheDir = resolveCacheDir();
process.stdout.write(`binary cache: ${cacheDir}\n`);
let failed = false;
for (const { name, binary } of SERVICES) {
  if (!binary) continue;
  const t0 = performance.now();
  try {
    const file = await provisionBinary(name, binary, cacheDir, (e) => {
      const share = e.fraction !== undefined && e.fraction < 1 ? ` (${Math.round(e.fraction * 100)}%)` : '';
      process.stdout.write(`  [${name}] ${e.step}${share}\n`);
    });
    process.stdout.write(
      `${name.padEnd(9)} ${binary.version.padEnd(36)} ${file} ` +
        `(${((performance.now() - t0) / 1000).toFixed(1)} s)\n`,
    );
  } catch (err) {
    failed = true;
    process.stderr.write(`${name}: ${(err as Error).message}\n`);
  }
}
for (const [name, recipe] of Object.entries(TOOLS) as [ToolName, BinaryRecipe][]) {
  const t0 = performance.now();
  try {
    const file = await provisionTool(name, (e) => process.stdout.write(`  [${name}] ${e.step}\n`));
    process.stdout.write(
      `${name.padEnd(9)} ${recipe.version.padEnd(36)} ${file} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`,
    );
  } catch (err) {
    failed = true;
    process.stderr.write(`${name}: ${(err as Error).message}\n`);
  }
}
if (!failed) {
  const t0 = performance.now();
  try {
    const dir = await clusterTemplate(cacheDir, (e) => process.stdout.write(`  [postgres] ${e.step}\n`));
    process.stdout.write(
      `${'cluster'.padEnd(9)} ${'template'.padEnd(36)} ${dir} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`,
    );
  } catch (err) {
    failed = true;
    process.stderr.write(`cluster template: ${(err as Error).message}\n`);
  }
}
process.exit(failed ? 1 : 0);
