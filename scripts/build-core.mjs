// Bundles the headless core and CLI into dist/ (dependencies stay in node_modules).
import { build } from 'esbuild';

await build({
  entryPoints: { cli: 'server/cli.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
