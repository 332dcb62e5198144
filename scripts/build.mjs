// npm run build: the headless core into dist/ (the CLI, and the entry the desktop app runs in a utilityProcess;
// dependencies stay in node_modules), the WASM functions into wasm/build/, then the Electron main, preload and the
// React renderer into out/. A step whose inputs did not change is skipped; `--force` builds everything.
import fs from 'node:fs';
import path from 'node:path';
import { build as electronViteBuild } from 'electron-vite';
import { build as esbuild } from 'esbuild';
import { buildStep } from './build-inputs.mjs';

const force = process.argv.includes('--force');
const common = ['package-lock.json', 'tsconfig.json'];
const t0 = performance.now();
const core = {
  inputs: ['server', 'stack', 'scripts/build.mjs', ...common],
  outputs: ['dist/cli.js', 'dist/workflow-bundle.js'],
  force,
};
await buildStep('core', core, async () => {
  fs.rmSync('dist', { recursive: true, force: true }); // no chunk of an earlier build left beside the new ones
  await esbuild({
    entryPoints: {
      cli: 'server/cli.ts',
      'desktop-core': 'server/desktop-core.ts',
      'function-worker': 'server/functions/function-worker.ts',
      'preparation-worker': 'server/functions/preparation-worker.ts',
      'function-compiler-worker': 'server/project/function-compiler-worker.ts',
      'load-process': 'server/load/load-process.ts',
      'measure-auth-process': 'server/kpi/measure-auth-process.ts',
      'container-reaper': 'stack/docker/reaper-process.ts',
    },
    outdir: 'dist',
    bundle: true,
    // Shared code in chunks, and a dynamic import() stays one: the core spawns the services before it loads the
    // platform (Fastify, Temporal, MinIO…), and each CLI command loads only its own module.
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Every dependency stays in node_modules except TypeBox: its ESM build is ~680 small modules, which Node would
    // open one by one at every CLI start (~0.2 s of `apprun <verb>`); bundled, only what is used, in one chunk.
    plugins: [
      {
        name: 'external-but-typebox',
        setup(build) {
          build.onResolve({ filter: /^[^./]/ }, ({ path: spec }) =>
            spec === 'typebox' || spec.startsWith('typebox/') ? undefined : { path: spec, external: true },
          );
        },
      },
    ],
    sourcemap: true,
    logLevel: 'warning',
  });
  // Workflow code runs in Temporal's deterministic sandbox: bundled once here, loaded by the worker at start.
  const { bundleWorkflowCode } = await import('@temporalio/worker');
  const quiet = {
    log() {},
    trace() {},
    debug() {},
    info() {},
    warn: (m) => process.stderr.write(`${m}\n`),
    error: (m) => process.stderr.write(`${m}\n`),
  };
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.resolve('server/workflows/workflows.ts'),
    logger: quiet,
  });
  fs.writeFileSync('dist/workflow-bundle.js', code);
  process.stdout.write(`build: core and workflow bundle → dist/ (${Math.round(performance.now() - t0)} ms)\n`);
});
if (process.argv.includes('--core-only')) process.exit(0);
await buildStep(
  'wasm',
  { inputs: ['wasm', 'scripts/build-wasm.mjs', ...common], outputs: ['wasm/build/hello.wasm'], force },
  () => import('./build-wasm.mjs'),
);
const desktop = {
  inputs: ['main', 'preload', 'renderer', 'server', 'stack', 'electron.vite.config.ts', ...common],
  outputs: ['out/main/index.cjs', 'out/preload/index.cjs', 'out/renderer/index.html'],
  force,
};
await buildStep('desktop', desktop, async () => {
  await electronViteBuild({ logLevel: 'warn' });
  process.stdout.write(`build: desktop app and dashboard → out/ (${Math.round(performance.now() - t0)} ms)\n`);
});
